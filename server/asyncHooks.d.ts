// workerd implements node:async_hooks' AsyncLocalStorage under the
// nodejs_compat flag (wrangler.jsonc); the Workers types do not declare it,
// and @types/node would bring all of Node's globals into the server's code.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
