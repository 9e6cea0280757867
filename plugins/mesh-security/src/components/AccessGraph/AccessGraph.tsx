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
  EntityWorkload,
  MtlsMode,
} from '@mesh-security/plugin-mesh-security-common';
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
  return (
    <g
      data-testid="access-edge"
      data-mtls={edge.mtls}
      aria-label={`${edge.from} to ${edge.to}: ${edge.label} (${edge.mtls})`}
    >
      {d && (
        <path
          d={d}
          fill="none"
          stroke={mtlsModeColor(theme, edge.mtls)}
          strokeWidth={2}
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
        {edge.label}
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

/**
 * Who may call a workload and whom it may call, as a graph: callers → workload → callees.
 * Summary peers ("Any Istio workload (12)", "Namespace payments (3)") and "External (plaintext)"
 * appear as their own nodes when allowed.
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
  return (
    <Box>
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
        aria-label={`Access graph of ${workload.namespace}/${workload.name}`}
      />
      <Box className={classes.legend} aria-label="Edge legend">
        <LegendItem mode="STRICT" text="mTLS required" />
        <LegendItem mode="PERMISSIVE" text="mTLS or plaintext accepted" />
        <LegendItem mode="DISABLED" text="plaintext" />
        <LegendItem mode="UNKNOWN" text="not known" />
      </Box>
    </Box>
  );
};
