import {
  DependencyGraph,
  DependencyGraphTypes,
} from '@backstage/core-components';
import {
  Box,
  makeStyles,
  Theme,
  Typography,
  useTheme,
} from '@material-ui/core';
import {
  EdgeTrafficStatus,
  EntityWorkload,
  MtlsMode,
} from '@mesh-security/plugin-mesh-security-common';
import { EDGE_TRAFFIC_LABELS, EDGE_TRAFFIC_ORDER } from '../ObservedTraffic';
import { useLayoutEffect, useRef, useState } from 'react';
import { mtlsModeColor } from '../MtlsBadge';
import {
  AccessEdgeData,
  AccessNodeData,
  buildAccessGraph,
} from './accessGraphModel';

const DASH: Record<MtlsMode, string | undefined> = {
  STRICT: undefined,
  PERMISSIVE: '6 3',
  PARTIAL: '6 3',
  DISABLED: '2 3',
  UNKNOWN: '1 4',
};

/**
 * How observed traffic draws an edge, apart from its mTLS colour and dash: the line's weight
 * and opacity, and the status symbol in its label (so the legend reads without colour).
 */
const TRAFFIC_STROKE: Record<
  EdgeTrafficStatus,
  { width: number; opacity: number }
> = {
  used: { width: 4, opacity: 1 },
  unused: { width: 1, opacity: 0.45 },
  denied: { width: 3, opacity: 1 },
  'outside-grant': { width: 3, opacity: 1 },
  unknown: { width: 2, opacity: 0.7 },
};

const useStyles = makeStyles((theme: Theme) => ({
  node: { strokeWidth: 1.5 },
  self: {
    fill: theme.palette.primary.main,
    stroke: theme.palette.primary.main,
  },
  workload: {
    fill: theme.palette.background.paper,
    stroke: theme.palette.text.secondary,
  },
  special: {
    fill: theme.palette.background.default,
    stroke: theme.palette.warning.main,
    strokeDasharray: '4 2',
  },
  selfText: { fill: theme.palette.primary.contrastText },
  text: { fill: theme.palette.text.primary, fontSize: 13 },
  edgeLabel: { fill: theme.palette.text.primary, fontSize: 11 },
  legend: {
    display: 'flex',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
    marginTop: theme.spacing(1),
  },
}));

/** A graph node: a rounded box sized to its label. */
const AccessNode = ({
  node,
}: DependencyGraphTypes.RenderNodeProps<AccessNodeData>) => {
  const classes = useStyles();
  const textRef = useRef<SVGTextElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const box = textRef.current?.getBBox();
    if (
      box &&
      (Math.round(box.width) !== size.width ||
        Math.round(box.height) !== size.height)
    ) {
      setSize({ width: Math.round(box.width), height: Math.round(box.height) });
    }
  }, [size.width, size.height]);
  const padding = 10;
  const width = size.width + padding * 2;
  const height = size.height + padding * 2;
  const shapes: Record<AccessNodeData['role'], string> = {
    self: classes.self,
    workload: classes.workload,
    summary: classes.special,
    'external-plaintext': classes.special,
    observed: classes.special,
  };
  const shape = shapes[node.role];
  return (
    <g data-peer-role={node.role}>
      <title>{node.label}</title>
      <rect
        className={`${classes.node} ${shape}`}
        width={width}
        height={height}
        rx={8}
      />
      <text
        ref={textRef}
        className={node.role === 'self' ? classes.selfText : classes.text}
        x={width / 2}
        y={height / 2}
        textAnchor="middle"
        alignmentBaseline="middle"
      >
        {node.label}
      </text>
    </g>
  );
};

/** An edge drawn in its mTLS colour and dash pattern, labelled with ports and methods. */
const AccessEdgeLine = ({
  edge,
}: DependencyGraphTypes.RenderEdgeProps<AccessEdgeData>) => {
  const classes = useStyles();
  const theme = useTheme();
  const points = edge.points.filter(
    p => Number.isFinite(p.x) && Number.isFinite(p.y),
  );
  const d = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`)
    .join(' ');
  // Label at the middle of the drawn line (dagre's label slot is empty: labels are not measured).
  const middle = points[Math.floor(points.length / 2)] ?? { x: 0, y: 0 };
  const traffic = edge.traffic ? EDGE_TRAFFIC_LABELS[edge.traffic] : undefined;
  const stroke = edge.traffic
    ? TRAFFIC_STROKE[edge.traffic]
    : { width: 2, opacity: 1 };
  return (
    <g
      data-testid="access-edge"
      data-mtls={edge.mtls}
      data-traffic={edge.traffic}
      aria-label={`${edge.from} to ${edge.to}: ${edge.label} (${edge.mtls}${
        traffic ? `, ${traffic.label}` : ''
      })`}
    >
      {d && (
        <path
          d={d}
          fill="none"
          stroke={mtlsModeColor(theme, edge.mtls)}
          strokeWidth={stroke.width}
          strokeOpacity={stroke.opacity}
          strokeDasharray={DASH[edge.mtls]}
          markerEnd="url(#arrow-marker)"
        />
      )}
      <text
        className={classes.edgeLabel}
        x={middle.x}
        y={middle.y - 6}
        textAnchor="middle"
      >
        {traffic ? `${traffic.symbol} ${edge.label}` : edge.label}
      </text>
    </g>
  );
};

const LegendItem = ({ mode, text }: { mode: MtlsMode; text: string }) => {
  const theme = useTheme();
  return (
    <Box display="flex" alignItems="center">
      <svg width="32" height="8" aria-hidden>
        <line
          x1="0"
          y1="4"
          x2="32"
          y2="4"
          stroke={mtlsModeColor(theme, mode)}
          strokeWidth={2}
          strokeDasharray={DASH[mode]}
        />
      </svg>
      <Typography variant="caption" style={{ marginLeft: 4 }}>
        {text}
      </Typography>
    </Box>
  );
};

const TrafficLegendItem = ({ status }: { status: EdgeTrafficStatus }) => {
  const theme = useTheme();
  const { label, symbol, description } = EDGE_TRAFFIC_LABELS[status];
  return (
    <Box display="flex" alignItems="center" title={description}>
      <svg width="32" height="8" aria-hidden>
        <line
          x1="0"
          y1="4"
          x2="32"
          y2="4"
          stroke={theme.palette.text.secondary}
          strokeWidth={TRAFFIC_STROKE[status].width}
          strokeOpacity={TRAFFIC_STROKE[status].opacity}
        />
      </svg>
      <Typography variant="caption" style={{ marginLeft: 4 }}>
        {symbol} {label}
      </Typography>
    </Box>
  );
};

/**
 * Who may call a workload and whom it may call, as a graph: callers → workload → callees.
 * Summary peers ("Any Istio workload (12)", "Namespace payments (3)") and "External (plaintext)"
 * appear as their own nodes when allowed; with usable observations, each edge shows its observed
 * status (weight, opacity, symbol and legend) and traffic no edge allows gets its own nodes.
 */
export const AccessGraph = ({ workload }: { workload: EntityWorkload }) => {
  const classes = useStyles();
  const { nodes, edges } = buildAccessGraph(workload);
  if (edges.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No allowed callers or callees were found for this workload.
      </Typography>
    );
  }
  const label = `Access graph of ${workload.namespace}/${workload.name}`;
  return (
    <Box>
      {/* A focusable, named region: keyboard users reach the graph (and its click-to-zoom);
          the access table below lists every edge in words. */}
      <Box role="region" aria-label={label} tabIndex={0}>
        <DependencyGraph<AccessNodeData, AccessEdgeData>
          nodes={nodes}
          edges={edges}
          direction={DependencyGraphTypes.Direction.LEFT_RIGHT}
          renderNode={props => <AccessNode {...props} />}
          renderEdge={props => (
            <AccessEdgeLine key={`${props.id.v}-${props.id.w}`} {...props} />
          )}
          labelPosition={DependencyGraphTypes.LabelPosition.CENTER}
          rankMargin={160}
          showArrowHeads
          zoom="enable-on-click"
          fit="contain"
          style={{ minHeight: 240 }}
        />
      </Box>
      <Box className={classes.legend} aria-label="Edge legend">
        <LegendItem mode="STRICT" text="mTLS required" />
        <LegendItem mode="PERMISSIVE" text="mTLS or plaintext accepted" />
        <LegendItem mode="DISABLED" text="plaintext" />
        <LegendItem mode="UNKNOWN" text="not known" />
      </Box>
      {edges.some(e => e.traffic) && (
        <Box className={classes.legend} aria-label="Observed traffic legend">
          {EDGE_TRAFFIC_ORDER.map(status => (
            <TrafficLegendItem key={status} status={status} />
          ))}
        </Box>
      )}
    </Box>
  );
};
