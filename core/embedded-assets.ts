/**
 * The package's data files built into the one-file bundle (path → text), and its YAML files as
 * parsed when the bundle was built (path → value: starting the bundle does not parse them again).
 * `npm run bundle` replaces this module with the tables; in the normal build there are none and the
 * files are read from the package.
 */
export const EMBEDDED_ASSETS: ReadonlyMap<string, string> | undefined = undefined;
export const EMBEDDED_YAML: ReadonlyMap<string, unknown> | undefined = undefined;
