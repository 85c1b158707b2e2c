import { QUESTIONS } from '../generators/app/questions.ts';
import { blueprints, COMPONENT_INFO } from '../renderer/catalog.ts';
import { COMPONENTS, DEPLOY_TARGETS } from '../manifest/schema.ts';
import { EXIT_MEANINGS } from './errors.ts';

export function helpText(version: string): string {
  const prompted = QUESTIONS.filter((q) => q.flag.startsWith('--'))
    .map((q) => `  ${`${q.flag} ${q.placeholder}`.padEnd(26)}${q.message}`)
    .join('\n');
  return `create-iot-platform ${version}: create a complete IoT data platform repository

Usage
  npm create iot-platform@latest [folder] -- [flags]
  create-iot-platform [folder] [flags]

Inside a generated project
  create-iot-platform stack <up|down|status|logs|kill|start|dbt> [--native]   (stack --help)
  create-iot-platform lint                      manifest valid, platform-owned files not edited by hand
  create-iot-platform upgrade [--to V] [--reapply] [--dry-run] [--yes]   re-render and 3-way merge (exit 3: conflicts)
  create-iot-platform env                       create a missing .env (new secrets), add what it lacks

Across an organisation
  create-iot-platform sync --org ORG [--repos a,b] [--to VERSION] [--dry-run] [--report FILE] [--resume]

Answers (prompted on a terminal when missing)
${prompted}

More settings
  --description TEXT        One-line project description
  --owner NAME              Owning team (Backstage catalog), default platform-team
  --time-zone ZONE          IANA time zone for "local" days, default UTC
  --variant NAME            A variant of the blueprint (see Blueprints)
  --answers FILE            Answers from YAML shaped like iot-platform.yaml: a whole manifest (replayed,
                            events and all) or any part of it; defaults fill the rest, flags override it
  --github OWNER/NAME       Also create the GitHub repository (user or organisation) and push the
                            first commit; needs GITHUB_TOKEN or GH_TOKEN with repo and workflow scopes
  --private                 Make that GitHub repository private

Behaviour
  -y, --yes                 Take the default for every unanswered question
  --dry-run                 Print the files that would be written (and which exist); write nothing
  --force                   Allow a non-empty target folder (files are overwritten)
  --skip-install            Do not run npm install
  --skip-git                Do not run git init and the first commit
  --link                    Depend on this checkout of create-iot-platform (file:<checkout>) instead of the
                            released version: for platform development; the project installs on this machine only
  -h, --help                Show this help
  -v, --version             Show the version

Blueprints
${[...blueprints().values()].map((b) => [`  ${b.name.padEnd(26)}${b.title}`, ...Object.entries(b.variants).map(([name, v]) => `    --variant ${name.padEnd(14)}${v.description}`)].join('\n')).join('\n')}

Components (--components, comma-separated)
${COMPONENTS.map((c) => `  ${c.padEnd(26)}${COMPONENT_INFO[c].title}${COMPONENT_INFO[c].requires.length ? ` (needs ${COMPONENT_INFO[c].requires.join(', ')})` : ''}`).join('\n')}

Deploy targets (--deploy): ${DEPLOY_TARGETS.join(', ')}

Exit codes
${Object.entries(EXIT_MEANINGS).map(([code, meaning]) => `  ${code.padEnd(24)}${meaning}`).join('\n')}

Example
  npm create iot-platform@latest my-sensors -- --blueprint sensors --yes
`;
}
