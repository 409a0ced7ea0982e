// oidc-provider ships no types (and @types/oidc-provider trails its major
// versions); the test helper uses a handful of calls, typed at the call site.
declare module "oidc-provider" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Provider: any;
  export default Provider;
}
