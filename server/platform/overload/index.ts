export { loadSheddingPlugin, LOAD_SHED_METRIC } from './load-shedding.ts';
