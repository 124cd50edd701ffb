/**
 * The local accounts of the workspace folders, one per folder: opened on first use; re-opened when what an account
 * was opened with (its functions, region, account id, log format, interpreter) changed, never under a running
 * invocation (at once when none runs, else as soon as the last one ends); closed for good by close(), which
 * resolves once every account is closed. A folder whose store cannot be written (read-only, disk full) gets its account
 * on a throwaway store instead, and says so, as the CLI does. Editor-free, so that it is unit-tested with real accounts.
 */
import * as fs from 'node:fs';
import type { LocalAccount } from '../core/account/localAccount';
import type { StoreWriteError } from '../core/store/durableStore';
import { engine } from './lazyModules';

/** How the account of a folder would be opened now. */
export interface AccountRecipe {
  /** What the account is opened with: an open account whose key differs from the recipe's is out of date. */
  key: string;
  /** Opens the account on the folder's store or, given `throwawayStore`, on that empty folder instead. */
  open(throwawayStore?: string): Promise<LocalAccount>;
}

/** What a folder whose store cannot be written is told: what failed (folder, operation, cause), and what happens now. */
export function throwawayStoreMessage(root: string, error: StoreWriteError): string {
  return (
    `${error.message} Invocations in ${root} run on a throwaway store until its account is opened again: the ` +
    `Invocations panel shows their records, but they are not kept, and its queues start empty.`
  );
}

export interface FolderAccountsOptions {
  recipe(root: string): AccountRecipe;
  /** Called for each account once it is open; what it returns is disposed (and awaited) before the account closes. */
  onOpened(root: string, account: LocalAccount): { dispose(): void | Promise<void> };
  /** Something outside use() works on the folder's account right now (a CLI request): it is not re-opened then. */
  busy?(root: string): boolean;
  /** Something nobody awaits failed: a re-open in the background, or closing an account. */
  onError(root: string, action: 'Re-opening' | 'Closing', err: unknown): void;
  /** The folder's store could not be written, so its account opened on a throwaway store (throwawayStoreMessage). */
  onThrowawayStore(root: string, message: string): void;
}

interface Entry {
  account: LocalAccount;
  key: string;
  subscription: { dispose(): void | Promise<void> };
  /** The temp folder of the store the account runs on when the folder's own could not be written. */
  throwawayStore?: string;
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
      const { account, throwawayStore } = await this.open(root, recipe);
      if (this.closing) {
        await this.dispose({ account, throwawayStore });
        throw new FolderAccountsClosedError();
      }
      // Listed before onOpened runs, so what it announces (the panel's history) already includes this account.
      const entry: Entry = {
        account,
        key: recipe.key,
        subscription: { dispose: () => undefined },
        ...(throwawayStore ? { throwawayStore } : {}),
      };
      this.entries.set(root, entry);
      try {
        entry.subscription = this.options.onOpened(root, account);
      } catch (err) {
        this.entries.delete(root);
        await this.dispose(entry);
        throw err;
      }
      return entry;
    })().finally(() => {
      if (this.transitions.get(root) === pending) this.transitions.delete(root);
    });
    this.transitions.set(root, pending);
    return pending;
  }

  /** Opens the folder's account on its store, or on a throwaway one when the store cannot be written. */
  private async open(root: string, recipe: AccountRecipe): Promise<Pick<Entry, 'account' | 'throwawayStore'>> {
    try {
      return { account: await recipe.open() };
    } catch (err) {
      if (!(err instanceof engine().StoreWriteError)) throw err;
      // A store that cannot be written (read-only, disk full) must not stop invocations that need nothing kept.
      const throwawayStore = engine().createThrowawayStore();
      try {
        const account = await recipe.open(throwawayStore);
        this.options.onThrowawayStore(root, throwawayStoreMessage(root, err));
        return { account, throwawayStore };
      } catch (fallbackErr) {
        fs.rmSync(throwawayStore, { recursive: true, force: true });
        throw fallbackErr;
      }
    }
  }

  /** Closes an account and removes its throwaway store, if it had one. */
  private async dispose({ account, throwawayStore }: Pick<Entry, 'account' | 'throwawayStore'>): Promise<void> {
    try {
      await account.dispose();
    } finally {
      if (throwawayStore) fs.rmSync(throwawayStore, { recursive: true, force: true });
    }
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
      await this.dispose(entry);
    } catch (err) {
      this.options.onError(root, 'Closing', err);
    }
  }
}
