// Before any test loads kafkajs: the platform's service kit corrects how kafkajs 2.2 hides the records of aborted
// transactions (runtime/service-kit/kafkajs-read-committed.ts of create-iot-platform), so these tests read the
// jobs' exactly-once topics as the jobs themselves do.
import { kafkajsReadsCommitted } from 'create-iot-platform/service-kit';

if (!kafkajsReadsCommitted()) throw new Error('kafkajs was loaded before create-iot-platform/service-kit: list test/e2e/setup/kafka-read-committed.ts first in setupFiles');
