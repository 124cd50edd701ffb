/**
 * The local HTTP API in the editor: "Lambda: Start Local API" serves a workspace folder's API Gateway, HTTP API,
 * function URL and ALB routes on 127.0.0.1 (core/endpoints/httpFront.ts) through the folder's engine, so every
 * request runs in the window's account and shows in the Invocations panel with its HTTP request and response. A
 * status-bar item shows the address while it serves; the "Local API" view lists the routes, with "Copy as curl" and
 * "Open" on each, and a click opens the route's declaration.
 */
import * as vscode from 'vscode';
import type { AccountSettings } from '../core/account/accountSettings';
import type { FunctionConfig } from '../core/discovery/functionConfig';
import type { HttpFront, HttpRouteSummary } from '../core/endpoints/httpFront';
import type { WorkspaceEngine } from '../core/endpoints/workspaceEngine';
import { commandTable, localApiRunningContext } from '../shared/commandTable';
import { registerCommand } from './commandRegistration';
import { engine } from './lazyModules';

export const localApiViewId = 'lambdaTrigger.localApi';

const KIND_LABEL: Record<HttpRouteSummary['kind'], string> = {
  rest: 'REST API',
  http: 'HTTP API',
  alb: 'ALB',
  url: 'function URL',
  websocket: 'WebSocket API',
};

export type LocalApiNode = { kind: 'folder'; root: string } | { kind: 'route'; root: string; route: HttpRouteSummary };

/** What the local API needs of the rest of the extension. */
export interface LocalApiContext {
  /** The engine of a folder in this window (the runner's folder engine). */
  engine(root: string): WorkspaceEngine;
  /** The functions of the workspace and their folders (routes are declared by their triggers). */
  functions(): readonly FunctionConfig[];
  rootOf(fn: FunctionConfig): string | undefined;
  onDidChangeFunctions: vscode.Event<unknown>;
  /** The folder's settings: region and account of its ARNs (the events' request contexts), the port to use. */
  settings(root: string): Pick<AccountSettings, 'location' | 'localApiPort'>;
  output: vscode.LogOutputChannel;
}

interface Serving {
  front: HttpFront;
  routes: HttpRouteSummary[];
}

/** A function declares an HTTP route: an API Gateway event, a function URL or an ALB target (not an authorizer). */
function servesHttp(fn: FunctionConfig): boolean {
  return fn.triggers.some((t) => t.kind === 'api' && !t.authorizer);
}

export class LocalApi implements vscode.TreeDataProvider<LocalApiNode>, vscode.Disposable {
  private readonly serving = new Map<string, Serving>();
  private readonly starting = new Map<string, Promise<Serving>>();
  private readonly changed = new vscode.EventEmitter<LocalApiNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly statusItem = vscode.window.createStatusBarItem(
    'lambdaTrigger.localApi',
    vscode.StatusBarAlignment.Left,
    9,
  );
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly context: LocalApiContext) {
    this.statusItem.name = 'Lambda Local API';
    this.statusItem.command = `${localApiViewId}.focus`;
    this.subscriptions = [context.onDidChangeFunctions(() => void this.refreshRoutes()), this.changed, this.statusItem];
  }

  register(): vscode.Disposable[] {
    return [
      vscode.window.createTreeView(localApiViewId, { treeDataProvider: this }),
      registerCommand(commandTable.startLocalApi, () => this.start()),
      registerCommand(commandTable.stopLocalApi, () => this.stopAll()),
      registerCommand(commandTable.copyLocalApiRouteAsCurl, (node?: LocalApiNode) => this.copyAsCurl(node)),
      registerCommand(commandTable.copyAwsEndpointVariables, () => this.copyAwsEndpoint()),
      registerCommand(commandTable.openLocalApiRoute, (node?: LocalApiNode) => this.open(node)),
    ];
  }

  /** The base URL of each serving folder (tests, and the extension's API). */
  urls(): Map<string, string> {
    return new Map([...this.serving].map(([root, s]) => [root, s.front.url]));
  }

  /**
   * Starts the local API of a folder with HTTP routes (asks which when several have some) and resolves with its
   * base URL; a folder already serving keeps its server.
   */
  async start(root?: string): Promise<string | undefined> {
    const folder = root ?? (await this.pickFolder());
    if (!folder) return undefined;
    const serving = await this.serve(folder);
    const count = serving.routes.length;
    this.context.output.info(`Local API for ${folder} at ${serving.front.url}: ${count} routes.`);
    for (const route of serving.routes)
      this.context.output.info(`  ${route.method} ${route.url} -> ${route.functionName} (${KIND_LABEL[route.kind]})`);
    void vscode.window
      .showInformationMessage(
        `Local API serving ${count} route${count === 1 ? '' : 's'} at ${serving.front.url}`,
        'Show Routes',
        'Copy URL',
      )
      .then((choice) => {
        if (choice === 'Show Routes') void vscode.commands.executeCommand(`${localApiViewId}.focus`);
        else if (choice === 'Copy URL') void vscode.env.clipboard.writeText(serving.front.url);
      });
    return serving.front.url;
  }

  /** Stops every folder's local API; resolves once their ports are closed. */
  async stopAll(): Promise<void> {
    const roots = [...this.serving.keys()];
    await Promise.all(roots.map((root) => this.stop(root)));
    if (roots.length > 0) this.context.output.info('Local API stopped.');
  }

  private async stop(root: string): Promise<void> {
    const serving = this.serving.get(root);
    if (!serving) return;
    this.serving.delete(root);
    this.update();
    await serving.front.close();
  }

  private serve(root: string): Promise<Serving> {
    const running = this.serving.get(root);
    if (running) return Promise.resolve(running);
    let starting = this.starting.get(root);
    if (!starting) {
      starting = this.listen(root).finally(() => this.starting.delete(root));
      this.starting.set(root, starting);
    }
    return starting;
  }

  private async listen(root: string): Promise<Serving> {
    const { location, localApiPort: port } = this.context.settings(root);
    let front: HttpFront;
    try {
      front = await engine().HttpFront.start(this.context.engine(root), {
        port,
        location,
        onRequest: (log) => this.context.output.info(`Local API: ${engine().describeRequest(log)}`),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES')
        throw new Error(
          `The local API cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}). Set lambdaTrigger.localApi.port to another port, or to 0 for a free one.`,
        );
      throw err;
    }
    const serving: Serving = { front, routes: await front.routes().catch(() => []) };
    this.serving.set(root, serving);
    this.update();
    return serving;
  }

  private async pickFolder(): Promise<string | undefined> {
    const roots = new Set<string>();
    for (const fn of this.context.functions()) {
      const root = this.context.rootOf(fn);
      if (root && servesHttp(fn)) roots.add(root);
    }
    if (roots.size === 0) {
      void vscode.window.showWarningMessage(
        'No HTTP routes found in this workspace: the local API serves API Gateway events (Api, HttpApi), function URLs (FunctionUrlConfig, AWS::Lambda::Url) and ALB targets from SAM and CloudFormation templates, and http, httpApi, alb and url from serverless.yml.',
      );
      return undefined;
    }
    if (roots.size === 1) return [...roots][0];
    const picked = await vscode.window.showQuickPick(
      [...roots].map((root) => ({ label: vscode.workspace.asRelativePath(root, true) || root, root })),
      { title: 'Start the local API of which folder?' },
    );
    return picked?.root;
  }

  /** Re-reads the routes of every serving folder (a template changed: routes come and go). */
  private async refreshRoutes(): Promise<void> {
    for (const [root, serving] of this.serving) {
      try {
        serving.routes = await serving.front.routes();
      } catch (err) {
        this.context.output.warn(`The local API's routes of ${root} could not be read: ${String(err)}`);
      }
    }
    this.update();
  }

  private update(): void {
    void vscode.commands.executeCommand('setContext', localApiRunningContext, this.serving.size > 0);
    this.changed.fire(undefined);
    const urls = [...this.serving.values()].map((s) => s.front.url);
    if (urls.length === 0) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = `$(radio-tower) ${urls[0].replace(/^http:\/\//, '')}${urls.length > 1 ? ` +${urls.length - 1}` : ''}`;
    this.statusItem.tooltip = `Local API serving at ${urls.join(', ')}; click to list its routes`;
    this.statusItem.show();
  }

  private routeOf(node: LocalApiNode | undefined): HttpRouteSummary | undefined {
    if (node?.kind === 'route') return node.route;
    void vscode.window.showInformationMessage('Pick a route in the Local API view first.');
    return undefined;
  }

  private async copyAsCurl(node: LocalApiNode | undefined): Promise<void> {
    const route = this.routeOf(node);
    if (!route) return;
    const command = engine().curlCommand(route);
    await vscode.env.clipboard.writeText(command);
    void vscode.window.setStatusBarMessage(`Copied: ${command}`, 4000);
  }

  /**
   * Copies the shell line that points a script or the AWS CLI at the folder's local AWS endpoint (the one handlers'
   * SDK calls reach), with the workspace's key; resolves with it.
   */
  async copyAwsEndpoint(root?: string): Promise<string | undefined> {
    const folder = root ?? (await this.pickAnyFolder());
    if (!folder) return undefined;
    const endpoint = await this.context.engine(folder).awsEndpoint();
    const line = engine().awsEndpointExports(endpoint);
    await vscode.env.clipboard.writeText(line);
    void vscode.window.showInformationMessage(
      `Copied the variables for the local AWS endpoint at ${endpoint.url} (Lambda, SQS, SNS, EventBridge, Kinesis): paste them in a terminal, then use the AWS CLI or a script as usual.`,
    );
    return line;
  }

  private async pickAnyFolder(): Promise<string | undefined> {
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (roots.length <= 1) return roots[0]?.uri.fsPath;
    const picked = await vscode.window.showWorkspaceFolderPick({
      placeHolder: 'The local AWS endpoint of which folder?',
    });
    return picked?.uri.fsPath;
  }

  private async open(node: LocalApiNode | undefined): Promise<void> {
    const route = this.routeOf(node);
    if (!route) return;
    // Where the window runs remotely (code-server, a remote host), the loopback URL reaches the user through a tunnel.
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(route.exampleUrl));
    await vscode.env.openExternal(external);
  }

  getTreeItem(node: LocalApiNode): vscode.TreeItem {
    if (node.kind === 'folder') {
      const item = new vscode.TreeItem(
        vscode.workspace.asRelativePath(node.root, true) || node.root,
        vscode.TreeItemCollapsibleState.Expanded,
      );
      item.description = this.serving.get(node.root)?.front.url;
      item.iconPath = new vscode.ThemeIcon('radio-tower');
      return item;
    }
    const { route } = node;
    const item = new vscode.TreeItem(
      route.kind === 'url'
        ? `${route.method} ${new URL(route.url).pathname}`
        : route.kind === 'websocket'
          ? `WS ${route.path}`
          : `${route.method} ${route.path}`,
    );
    item.description = `${route.functionName} · ${KIND_LABEL[route.kind]}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(`${route.url}\n${route.functionName} (${KIND_LABEL[route.kind]})`);
    if (route.origin)
      tooltip.appendText(`\n${vscode.workspace.asRelativePath(route.origin.file)}:${route.origin.line}`);
    item.tooltip = tooltip;
    // A browser opens what a GET answers; a WebSocket route is copied as a wscat command instead.
    item.contextValue =
      route.kind !== 'websocket' && ['GET', 'ANY', 'HEAD'].includes(route.method)
        ? 'localApiRoute'
        : 'localApiRoute.notOpened';
    item.iconPath = new vscode.ThemeIcon(
      route.kind === 'url' ? 'link' : route.kind === 'websocket' ? 'plug' : 'symbol-interface',
    );
    if (route.origin)
      item.command = {
        command: 'vscode.open',
        title: 'Open Declaration',
        arguments: [
          vscode.Uri.file(route.origin.file),
          {
            selection: new vscode.Range(route.origin.line - 1, 0, route.origin.line - 1, 0),
            preview: true,
          } satisfies vscode.TextDocumentShowOptions,
        ],
      };
    return item;
  }

  getChildren(node?: LocalApiNode): LocalApiNode[] {
    if (!node) {
      const roots = [...this.serving.keys()];
      if (roots.length === 1) return this.routeNodes(roots[0]);
      return roots.map((root) => ({ kind: 'folder', root }));
    }
    return node.kind === 'folder' ? this.routeNodes(node.root) : [];
  }

  private routeNodes(root: string): LocalApiNode[] {
    return (this.serving.get(root)?.routes ?? []).map((route) => ({ kind: 'route', root, route }));
  }

  /** Closes every server: resolves once their ports are free (deactivate awaits it). */
  close(): Promise<void> {
    return this.stopAll();
  }

  dispose(): void {
    void this.close();
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}
