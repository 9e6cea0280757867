export { AccessGraph } from './AccessGraph';
export { buildAccessGraph, edgePortLabel, peerId } from './accessGraphModel';
