/** A lab user name as the roster, the self-check and reports accept it: letters, digits, `. _ @ -`. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Whether a user name can also name a simulated student's machines. The simulated lab makes the VM's
 * DNS label (`{user}-lab.westeurope.cloudapp.azure.com`) and its Linux login of it, so of the names
 * USER_NAME accepts it takes those that are lower-case letters, digits and dashes, a letter first, at
 * most 39 characters.
 */
export const isSimulatedUserName = (name: string): boolean => USER_NAME.test(name) && /^[a-z][a-z0-9-]{0,38}$/.test(name);
