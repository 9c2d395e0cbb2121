/**
 * The client roles and advanced features this session implements, for `HELLO.Details.roles`.
 */

/**
 * Roles and features announced in HELLO (advanced profile, "Feature Announcement"): exactly what
 * {@link Session} implements, nothing more.
 *
 * @example
 * ```ts
 * handle.send([MessageType.HELLO, "realm1", { roles: CLIENT_ROLES, authmethods: ["anonymous"] }]);
 * ```
 */
export const CLIENT_ROLES = {
  caller: {
    features: {
      progressive_call_results: true,
      call_canceling: true,
      call_timeout: true,
      caller_identification: true,
    },
  },
  callee: {
    features: {
      progressive_call_results: true,
      call_canceling: true,
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
      registration_revocation: true,
    },
  },
  publisher: {
    features: {
      publisher_identification: true,
      publisher_exclusion: true,
      subscriber_blackwhite_listing: true,
    },
  },
  subscriber: {
    features: {
      publisher_identification: true,
      pattern_based_subscription: true,
      subscription_revocation: true,
    },
  },
} as const;

/**
 * The shape of {@link CLIENT_ROLES}.
 *
 * @example
 * ```ts
 * const roles: ClientRoles = CLIENT_ROLES;
 * ```
 */
export type ClientRoles = typeof CLIENT_ROLES;
