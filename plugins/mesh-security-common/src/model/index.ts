export * from './mesh';
export * from './finding';
export * from './scorecard';
export * from './workload';
export * from './access';
export * from './snapshot';
export * from './traffic';
