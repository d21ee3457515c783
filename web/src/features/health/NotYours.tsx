/** What a Health page shows someone who may not read Watchkeeper's own health. */
export function NotYours({ title, reason }: { title: string; reason: string }) {
  return (
    <>
      <h1>{title}</h1>
      <section className="panel" role="status">
        <p>This page shows Watchkeeper’s own health, which your account may not see here.</p>
        <p className="muted">{reason}</p>
      </section>
    </>
  );
}
