/** A lab user name as the roster, the self-check and reports accept it: letters, digits, `. _ @ -`. */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
