import { describe, expect, it } from 'vitest';
import { RuntimeMetrics } from './metrics.ts';

const widget = { kind: 'Widget', namespace: 'ns', name: 'w1' };

describe('RuntimeMetrics', () => {
  it('records reconcile durations in Flux histogram with kind, name and namespace', async () => {
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    metrics.recordReconcile('widget', widget, 0.05, 'success');
    metrics.recordReconcile('widget', widget, 2, 'error');
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'gotk_reconcile_duration_seconds_bucket{le="0.1",kind="Widget",name="w1",namespace="ns"} 1',
    );
    expect(text).toContain(
      'gotk_reconcile_duration_seconds_count{kind="Widget",name="w1",namespace="ns"} 2',
    );
    expect(text).toContain(
      'controller_runtime_reconcile_total{controller="widget",result="error"} 1',
    );
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="widget"} 1');
  });

  it('sets one condition series per status and drops them when the object goes', async () => {
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    metrics.recordConditions(widget, [{ type: 'Ready', status: 'False' }], false);
    let text = await metrics.registry.metrics();
    expect(text).toContain(
      'gotk_reconcile_condition{kind="Widget",name="w1",namespace="ns",type="Ready",status="False"} 1',
    );
    expect(text).toContain(
      'gotk_reconcile_condition{kind="Widget",name="w1",namespace="ns",type="Ready",status="True"} 0',
    );
    metrics.forgetObject(widget);
    text = await metrics.registry.metrics();
    expect(text).not.toContain('name="w1"');
  });

  it('drops a condition type the object no longer has', async () => {
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    metrics.recordConditions(widget, [{ type: 'Reconciling', status: 'True' }], false);
    metrics.recordConditions(widget, [{ type: 'Ready', status: 'True' }], true);
    const text = await metrics.registry.metrics();
    expect(text).not.toContain('type="Reconciling"');
    expect(text).toContain('gotk_suspend_status{kind="Widget",name="w1",namespace="ns"} 1');
  });

  it('feeds workqueue metrics from the queue observer', async () => {
    const metrics = new RuntimeMetrics({ defaultMetrics: false });
    const observer = metrics.queueObserver('widget');
    observer.added?.('a');
    observer.depth?.(3);
    observer.retried?.('a', 750);
    const text = await metrics.registry.metrics();
    expect(text).toContain('workqueue_depth{name="widget"} 3');
    expect(text).toContain('workqueue_adds_total{name="widget"} 1');
    expect(text).toContain('workqueue_retries_total{name="widget"} 1');
  });
});
