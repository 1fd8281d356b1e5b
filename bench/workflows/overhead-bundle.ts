// The workflows bench/workflow-overhead.ts runs side by side: the product's and the bare baseline.
export * from '../../workflows';
export * from './sequential';
