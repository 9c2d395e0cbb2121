/**
 * Authorization (advanced profile, "Authorization"): every SUBSCRIBE, PUBLISH, REGISTER and CALL is
 * checked against the permissions of the session's role on its realm. The most specific matching
 * permission decides (exact, then the longest prefix, then wildcard), as in Crossbar.
 */
import type { Action, PermissionConfig, RoleConfig } from "./authConfig.js";
import { PatternTable } from "./matching.js";

export interface Decision {
  readonly allow: boolean;
  /** Force caller / publisher disclosure for what this permission covers. */
  readonly disclose: boolean;
}

const DENY: Decision = Object.freeze({ allow: false, disclose: false });
const ALLOW: Decision = Object.freeze({ allow: true, disclose: false });

/** The role every session gets on a listener without `auth`: may do everything (development default). */
export const TRUSTED_ROLE = "anonymous";

/** Permissions of one realm. A realm without `roles` lets every role do everything. */
export class Authorizer {
  private readonly roles: Map<string, PatternTable<PermissionConfig>> | undefined;

  constructor(roles: RoleConfig[] | undefined) {
    if (roles === undefined) return;
    this.roles = new Map();
    for (const role of roles) {
      const table = new PatternTable<PermissionConfig>();
      for (const p of role.permissions ?? []) table.set(p.match ?? "exact", p.uri, p);
      this.roles.set(role.name, table);
    }
  }

  /** True when `role` may join this realm (it is defined here, or the realm defines no roles). */
  hasRole(role: string): boolean {
    return this.roles === undefined || this.roles.has(role);
  }

  /** May a session with `role` (or a trusted one) do `action` on `uri`? */
  authorize(role: string, trusted: boolean, action: Action, uri: string): Decision {
    if (trusted || this.roles === undefined) return ALLOW;
    const permission = this.roles.get(role)?.best(uri);
    if (permission === undefined || permission.allow?.[action] !== true) return DENY;
    const disclose =
      action === "call" || action === "register"
        ? permission.disclose?.caller === true
        : permission.disclose?.publisher === true;
    return disclose ? { allow: true, disclose } : ALLOW;
  }
}
