// yeoman-test helpers whose runs use the CLI's adapter stack (QueuedAdapter over TerminalAdapter, see cli/create.ts)
// with silent streams and mocked prompts, instead of the TestAdapter of @yeoman/adapter/testing.
//
// That TestAdapter (every published version, 5.0.0 included) builds its prompt module on
// `output: Duplex.from(async () => {})`. Node 24 destroys a Duplex made from an async function with an AbortError
// as soon as the function returns without consuming its input (lib/internal/streams/duplexify.js, nodejs/node#55077),
// and nothing listens for that stream's 'error': every TestAdapter construction throws an uncaught ABORT_ERR
// outside any test. yeoman-test 11 constructs two per run (createTestEnv's default adapter, then RunContext's own),
// whether prompts are asked or not.
import { Console } from 'node:console';
import { Readable, Writable } from 'node:stream';
import { QueuedAdapter, TerminalAdapter } from '@yeoman/adapter';
import type { DummyPromptCallback, TestAdapterOptions } from '@yeoman/adapter/testing';
import { YeomanTest, type TestAdapter } from 'yeoman-test';

type Question = { name: string; type: string; default?: unknown; validate?: (value: unknown) => unknown };

/** A TerminalAdapter that prints nothing and answers every prompt from the mocked answers (or the question's default). */
class MockedPromptAdapter extends TerminalAdapter {
  constructor({ mockedAnswers = {}, callback }: TestAdapterOptions) {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() }) as NodeJS.WriteStream;
    // Prompts here never read the terminal: a read means a prompt escaped the mock, which must fail loudly.
    const stdin = new Readable({
      read() {
        this.destroy(new Error('a prompt read stdin in a generator test; give its answer with withAnswers()'));
      },
    }) as NodeJS.ReadStream;
    super({ stdin, stdout: sink, stderr: sink, console: new Console(sink, sink) });
    // inquirer still runs the questions (when, filter, the answers given as options); only the terminal UI is replaced.
    for (const type of Object.keys(this.promptModule.prompts)) {
      this.promptModule.registerPrompt(type, (question: Question) => answer(question, mockedAnswers, callback));
    }
  }
}

async function answer(question: Question, mockedAnswers: Record<string, unknown>, callback: DummyPromptCallback | undefined) {
  const value = mockedAnswers[question.name] !== undefined ? mockedAnswers[question.name] : question.default;
  if (value === undefined) throw new Error(`question ${question.name} was asked but the test gives no answer and it has no default`);
  const valid = question.validate ? await question.validate(value) : true;
  if (valid !== true) throw new Error(`answer ${JSON.stringify(value)} to question ${question.name} is invalid: ${String(valid)}`);
  return callback ? callback(value, { question: question as never, answers: { [question.name]: value } }) : value;
}

class Helpers extends YeomanTest {
  override createTestAdapter(options: TestAdapterOptions = {}): TestAdapter {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() }) as NodeJS.WriteStream;
    const adapter = new QueuedAdapter({ adapter: new MockedPromptAdapter({ ...this.adapterOptions, ...options }), stderr: sink });
    // yeoman-test types the adapter as its TestAdapter; the environment and RunContext only use the adapter interface.
    return adapter as unknown as TestAdapter;
  }
}

/** Use instead of yeoman-test's default export: same API (run, withOptions, withAnswers, askedQuestions). */
export const helpers = new Helpers();
