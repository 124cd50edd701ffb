/** The tree item of a saved event, as the Functions and Event Sources views both list it: it opens the file. */
import * as vscode from 'vscode';
import type { SavedEvent } from '../../core/events/savedEvents';

/** `description` is what the view shows next to the name (each view names what its parent node does not). */
export function savedEventTreeItem(saved: SavedEvent, description: string | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(saved.name, vscode.TreeItemCollapsibleState.None);
  item.id = `saved:${saved.file}`;
  item.description = description;
  item.resourceUri = vscode.Uri.file(saved.file);
  item.iconPath = new vscode.ThemeIcon('json');
  item.contextValue = 'savedEvent';
  item.command = {
    command: 'vscode.open',
    title: 'Open Saved Event',
    arguments: [vscode.Uri.file(saved.file)],
  };
  return item;
}
