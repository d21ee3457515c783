/**
 * Every panel sits in one: a panel that throws shows what failed and a retry, the rest of the page
 * keeps working, and the error — with its component stack — is reported to the server.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { reportClientError } from './report-client-error.ts';

interface Props {
  title: string;
  children: ReactNode;
  /** Fetches the panel's data again before it renders again: the data may be what broke it. */
  onRetry?: () => Promise<unknown>;
}

export class PanelBoundary extends Component<Props, { error: Error | undefined }> {
  override state = { error: undefined as Error | undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    reportClientError({ panel: this.props.title, error, componentStack: info.componentStack ?? undefined });
  }

  private async retry(): Promise<void> {
    await this.props.onRetry?.().catch(() => undefined);
    this.setState({ error: undefined });
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <section className="panel panel-failed" role="alert" aria-labelledby={`panel-${this.props.title}`}>
        <h2 id={`panel-${this.props.title}`}>{this.props.title}</h2>
        <p>This panel failed to show: {error.message}</p>
        <button type="button" onClick={() => void this.retry()}>
          Retry
        </button>
      </section>
    );
  }
}
