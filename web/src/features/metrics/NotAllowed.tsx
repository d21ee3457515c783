/** What a metrics page shows someone who may not read metrics in the project they act in. */
export function NotAllowed({ title, reason }: { title: string; reason: string }) {
  return (
    <>
      <h1>{title}</h1>
      <section className="panel" role="status" aria-labelledby="not-allowed-title">
        <h2 id="not-allowed-title">Not allowed</h2>
        <p>Your account may not read metrics in this project: that needs the metrics:read permission here.</p>
        <p className="muted">{reason}</p>
      </section>
    </>
  );
}
