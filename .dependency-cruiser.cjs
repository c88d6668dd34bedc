/**
 * The layering of src/ (docs/architecture.md, "Who may import what"), checked by `npm run lint`:
 *
 *   cli/ → agent/ (and the composition root app) → config/ → the modules → store/ → util/ and the base files → model/
 *
 * The modules are every other folder (sample, kernel, rules, alerts, notify, report, policy, metrics, …); they may
 * import one another as long as no cycle forms. Type-only imports count: a type from an upper layer is an upward
 * dependency all the same. Printing and exiting (only cli/) and `/proc` path literals (only the gateways) are not
 * imports; test/architecture/boundaries.test.ts checks those.
 */
const BASE = '^src/(errors|clock|log|log-pretty)[.]ts$';
const MODEL = '^src/model/';
const UTIL = '^src/util/';
const STORE = '^src/store/';
const CONFIG = '^src/config/';
const AGENT = '^src/(agent/|app[.]ts$|app/)';
const CLI = '^src/cli/';
/** The module contract (AgentModule, AgentContext): each module's adapter implements it, so it may be imported below agent/. */
const MODULE_CONTRACT = '^src/agent/module[.]ts$';
/**
 * Pure domain code the store uses to rebuild what it returns (the dying-process test, risk and ranking of a
 * reconstructed instant, a cgroup line's parser, scope matching, the workload a cgroup path names, the incident
 * view of a report): no I/O, no state, and importing nothing above model/ and util/ themselves.
 */
const PURE_FOR_STORE = [
  '^src/sample/(dying|risk|rank|match)[.]ts$',
  '^src/sample/parse/',
  '^src/workload/parse-cgroup-path[.]ts$',
  '^src/kernel/incident-view[.]ts$',
];
/** The composed configuration's type: modules that take several sections (the alerts engine) name it, type-only. */
const CONFIG_TYPE = '^src/config/schema[.]ts$';
const SQLITE = '(^|/)node_modules/(@types/)?better-sqlite3/';
const FS = '^(node:)?fs(/promises)?$';

/**
 * Who may use node:fs. /proc and cgroupfs are read (and oom_score_adj written) only through the two gateways;
 * the other files touch files of their own, each named with its reason.
 */
const FS_ALLOWED = [
  '^src/sample/procfs[.]ts$', // the gateway to /proc
  '^src/sample/cgroupfs[.]ts$', // the gateway to the cgroup filesystem
  '^src/store/', // the database file, the trust checks of its folders, the migrations
  '^src/cli/', // files the user names (--out, --config, import FILE) and the output of `service install`
  '^src/config/load[.]ts$', // the config file
  '^src/util/secrets[.]ts$', // secrets kept in files ({file: path}), read at load
  '^src/kernel/kmsg-source[.]ts$', // /dev/kmsg, a character device
  '^src/kernel/log-file-source[.]ts$', // a saved kernel log given to `import`
  '^src/notify/email[.]ts$', // the SMTP server's CA file (channels.*.tls.caFile)
  '^src/policy/dropin-write[.]ts$', // systemd drop-in files
  '^src/policy/users[.]ts$', // /etc/passwd, to name the users in the policy
  '^src/report/daily-build[.]ts$', // whether the compiled daily-report worker exists
  '^src/util/atomic-write[.]ts$', // write-then-rename for any file the agent writes
  '^src/util/package-root[.]ts$', // finds the installed package (migrations, embedded defaults)
  '^src/workload/names-source[.]ts$', // the node's own records of its containers (kubelet logs, Docker and Podman stores, passwd)
  '^src/killers/syslog-source[.]ts$', // a syslog file followed for user-space killers' lines
  '^src/killers/agent-module[.]ts$', // whether journalctl is on PATH and journald's socket exists
  '^src/fleet/pg-client[.]ts$', // the fleet database's CA file (fleet.postgres.sslrootcert)
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes the import order matter and hides which module owns what. Move the shared part down (often into model/).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'model-imports-nothing',
      severity: 'error',
      comment: 'model/ holds plain types that every layer may import; it imports nothing, not even util/ or a package.',
      from: { path: MODEL },
      to: { pathNot: MODEL },
    },
    {
      name: 'base-imports-model-and-util-only',
      severity: 'error',
      comment: 'util/ and the base files (errors, clock, log) are the bottom layer above model/.',
      from: { path: [UTIL, BASE] },
      to: { path: '^src/', pathNot: [MODEL, UTIL, BASE] },
    },
    {
      name: 'store-imports-down-only',
      severity: 'error',
      comment:
        'store/ takes and returns model/ types; importing a module (or config/, agent/, cli/) from it points upward. ' +
        'It may use the pure domain code listed in PURE_FOR_STORE to rebuild what it returns.',
      from: { path: STORE },
      to: { path: '^src/', pathNot: [STORE, MODEL, UTIL, BASE, ...PURE_FOR_STORE] },
    },
    {
      name: 'modules-import-no-upper-layer',
      severity: 'error',
      comment:
        'A module (sample, kernel, rules, alerts, notify, report, policy, metrics, …) owns its config section and receives ' +
        'what it needs from the agent: it imports neither config/ (which composes the sections) nor agent/ (except the module ' +
        'contract) nor cli/.',
      from: { path: '^src/', pathNot: [MODEL, UTIL, BASE, STORE, CONFIG, AGENT, CLI] },
      to: { path: [CONFIG, AGENT, CLI], pathNot: [MODULE_CONTRACT, CONFIG_TYPE] },
    },
    {
      name: 'modules-name-the-config-type-only',
      severity: 'error',
      comment: 'A module may name the composed Config type (config/schema.ts) but never run code of config/.',
      from: { path: '^src/', pathNot: [MODEL, UTIL, BASE, STORE, CONFIG, AGENT, CLI] },
      to: { path: CONFIG_TYPE, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'config-composes-below-agent',
      severity: 'error',
      comment:
        "config/ composes the modules' sections (the agent's own among them); the agent and the CLI read it, not the other way round.",
      from: { path: CONFIG },
      to: { path: [AGENT, CLI], pathNot: '^src/agent/config[.]ts$' },
    },
    {
      name: 'agent-imports-no-cli',
      severity: 'error',
      comment: 'cli/ turns argv into a command and an exit code; the agent must not depend on it.',
      from: { path: AGENT },
      to: { path: CLI },
    },
    {
      name: 'rules-are-pure',
      severity: 'error',
      comment: 'rules/ is pure (docs/architecture.md): no database, no file or network I/O, no engine or agent.',
      from: { path: '^src/rules/' },
      to: { path: [STORE, SQLITE, '^src/alerts/', AGENT, '^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|worker_threads)$'] },
    },
    {
      name: 'sqlite-only-in-store',
      severity: 'error',
      comment: 'Only store/ touches SQLite: everything else gets typed repositories from the Store.',
      from: { path: '^src/', pathNot: STORE },
      to: { path: SQLITE },
    },
    {
      name: 'proc-gateways-built-by-sample-and-cli',
      severity: 'error',
      comment:
        'Only cli/ (the run command, doctor, protect) and sample/ build the /proc and cgroupfs gateways; everything else ' +
        'receives one (a type-only import) and never opens /proc itself.',
      from: { path: '^src/', pathNot: ['^src/sample/', CLI] },
      to: { path: '^src/sample/(procfs|cgroupfs)[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'fs-only-where-listed',
      severity: 'error',
      comment:
        'node:fs is for the files listed in FS_ALLOWED (.dependency-cruiser.cjs), each with its reason; /proc goes through sample/procfs.',
      from: { path: '^src/', pathNot: FS_ALLOWED },
      to: { path: FS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (a type from an upper layer is still an upward import).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
