import { FaultPlan, NO_FAULTS } from './fault-plan.js';

function draws(plan: FaultPlan, n: number) {
  return Array.from({ length: n }, () => plan.draw().fault);
}

describe('FaultPlan', () => {
  it('injects nothing by default', () => {
    expect(draws(new FaultPlan('s', NO_FAULTS), 50).every((fault) => fault === undefined)).toBe(
      true,
    );
  });

  it('serves the queue first, in order', () => {
    const plan = new FaultPlan('s', NO_FAULTS);
    plan.update({ queue: ['reset', 'server-error'] });
    expect(draws(plan, 3)).toEqual(['reset', 'server-error', undefined]);
  });

  it('draws by rate, the same sequence for the same seed', () => {
    const settings = {
      ...NO_FAULTS,
      serverErrorRate: 0.2,
      maintenanceRate: 0.1,
      latencyMs: 5,
      latencyJitterMs: 10,
    };
    const first = draws(new FaultPlan('seed-a', settings), 1000);
    expect(draws(new FaultPlan('seed-a', settings), 1000)).toEqual(first);
    expect(draws(new FaultPlan('seed-b', settings), 1000)).not.toEqual(first);
    const errors = first.filter((fault) => fault === 'server-error').length;
    const maintenance = first.filter((fault) => fault === 'maintenance').length;
    expect(errors).toBeGreaterThan(150);
    expect(errors).toBeLessThan(250);
    expect(maintenance).toBeGreaterThan(60);
    expect(maintenance).toBeLessThan(140);
    expect(first.some((fault) => fault === 'hang')).toBe(false);
    const latencies = Array.from(
      { length: 100 },
      () => new FaultPlan('x', settings).draw().latencyMs,
    );
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThan(15);
  });

  it('starts over on reset', () => {
    const settings = { ...NO_FAULTS, resetRate: 0.5 };
    const plan = new FaultPlan('s', settings);
    const first = draws(plan, 20);
    plan.update({ resetRate: 0, queue: ['hang'] });
    plan.reset(settings);
    expect(draws(plan, 20)).toEqual(first);
  });
});
