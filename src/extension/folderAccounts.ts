/**
 * The local accounts of the workspace folders, one per folder: opened on first use; re-opened when what an account
 * was opened with (its functions, region, account id, log format, interpreter) changed, never under a running
 * invocation (at once when none runs, else as soon as the last one ends); closed for good by close(), which
 * resolves once every account is closed. Editor-free, so that it is unit-tested with real accounts.
 */
import type { LocalAccount } from '../core/account/localAccount';

/** How the account of a folder would be opened now. */
export interface AccountRecipe {
  /** What the account is opened with: an open account whose key differs from the recipe's is out of date. */
  key: string;
  open(): Promise<LocalAccount>;
}

export interface FolderAccountsOptions {
  recipe(root: string): AccountRecipe;
  /** Called for each account once it is open; what it returns is disposed (and awaited) before the account closes. */
  onOpened(root: string, account: LocalAccount): { dispose(): void | Promise<void> };
  /** Something outside use() works on the folder's account right now (a CLI request): it is not re-opened then. */
  busy?(root: string): boolean;
  /** Something nobody awaits failed: a re-open in the background, or closing an account. */
  onError(root: string, action: 'Re-opening' | 'Closing', err: unknown): void;
}

interface Entry {
  account: LocalAccount;
  key: string;
  subscription: { dispose(): void | Promise<void> };
}

export class FolderAccountsClosedError extends Error {
  constructor() {
    super('Lambda Trigger Runner is shutting down: its local accounts are closed.');
  }
}

export class FolderAccounts {
  private readonly entries = new Map<string, Entry>();
  /** An open or re-open in flight per folder; callers share it. */
  private readonly transitions = new Map<string, Promise<Entry>>();
  /** Invocations running through use(): no account is re-opened under them. */
  private running = 0;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: FolderAccountsOptions) {}

  /** The open accounts and their folders. */
  list(): { root: string; account: LocalAccount }[] {
    return [...this.entries].map(([root, entry]) => ({ root, account: entry.account }));
  }

  /** The account of `root`; opened first if it is not, re-opened first if it is out of date and nothing runs. */
  get(root: string): Promise<LocalAccount> {
    return this.current(root, this.running === 0);
  }

  /** Runs `work` on the account of `root`; while any such work runs, no account is re-opened. */
  async use<T>(root: string, work: (account: LocalAccount) => PromiseLike<T>): Promise<T> {
    this.running++;
    try {
      return await work(await this.current(root, this.running === 1));
    } finally {
      this.running--;
      if (this.running === 0) this.reopenOutdated();
    }
  }

  /** Re-opens every open account that is out of date, unless something runs (then use() does it when idle). */
  reopenOutdated(): void {
    if (this.running > 0 || this.closing) return;
    for (const [root, entry] of this.entries) {
      if (this.transitions.has(root) || this.busy(root) || entry.key === this.options.recipe(root).key) continue;
      this.transition(root).catch((err: unknown) => this.options.onError(root, 'Re-opening', err));
    }
  }

  /**
   * Closes every account for good, after the opens in flight; resolves once each is closed (its execution
   * environments exited, its store's lock released). Idempotent: every call shares the first one's promise.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled(this.transitions.values());
      const closing = [...this.entries];
      this.entries.clear();
      await Promise.all(closing.map(([root, entry]) => this.closeEntry(root, entry)));
    })();
    return this.closing;
  }

  private async current(root: string, mayReopen: boolean): Promise<LocalAccount> {
    if (this.closing) throw new FolderAccountsClosedError();
    const pending = this.transitions.get(root);
    if (pending) return (await pending).account;
    const entry = this.entries.get(root);
    if (entry && (!mayReopen || this.busy(root) || entry.key === this.options.recipe(root).key)) return entry.account;
    return (await this.transition(root)).account;
  }

  /** Closes the folder's account if one is open, then opens it as its recipe says now. */
  private transition(root: string): Promise<Entry> {
    const pending = (async (): Promise<Entry> => {
      const previous = this.entries.get(root);
      if (previous) {
        this.entries.delete(root);
        await this.closeEntry(root, previous);
      }
      if (this.closing) throw new FolderAccountsClosedError();
      const recipe = this.options.recipe(root);
      const account = await recipe.open();
      if (this.closing) {
        await account.dispose();
        throw new FolderAccountsClosedError();
      }
      // Listed before onOpened runs, so what it announces (the panel's history) already includes this account.
      const entry: Entry = { account, key: recipe.key, subscription: { dispose: () => undefined } };
      this.entries.set(root, entry);
      try {
        entry.subscription = this.options.onOpened(root, account);
      } catch (err) {
        this.entries.delete(root);
        await account.dispose();
        throw err;
      }
      return entry;
    })().finally(() => {
      if (this.transitions.get(root) === pending) this.transitions.delete(root);
    });
    this.transitions.set(root, pending);
    return pending;
  }

  private busy(root: string): boolean {
    return this.options.busy?.(root) ?? false;
  }

  private async closeEntry(root: string, entry: Entry): Promise<void> {
    try {
      await entry.subscription.dispose();
    } catch (err) {
      this.options.onError(root, 'Closing', err);
    }
    try {
      await entry.account.dispose();
    } catch (err) {
      this.options.onError(root, 'Closing', err);
    }
  }
}
