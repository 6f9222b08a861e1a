/** User names are path segments (`.claude/users/{user}`), so they are validated before any path is built. */
export const USER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Token labels and id prefixes follow the same grammar as IDs: no paths, no spaces, no control characters. */
export const TOKEN_LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

/** What `token revoke` accepts: a label, an id prefix (hex) or a whole token (`qms_` + base64url). */
export const TOKEN_REFERENCE_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}|qms_[A-Za-z0-9_-]{20,200})$/;
