import { WithScrollHint } from '../ScrollHint';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import {
  Box,
  Checkbox,
  FormControl,
  FormControlLabel,
  InputLabel,
  makeStyles,
  NativeSelect,
  Theme,
  Typography,
  useTheme,
} from '@material-ui/core';
import BlockIcon from '@material-ui/icons/Block';
import HelpOutlineIcon from '@material-ui/icons/HelpOutline';
import LanguageIcon from '@material-ui/icons/Language';
import LockIcon from '@material-ui/icons/Lock';
import LockOpenIcon from '@material-ui/icons/LockOpen';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import {
  EDGE_PROTECTIONS,
  EdgeProtection,
  EdgeTrafficStatus,
  EntityWorkload,
} from '@mesh-security/plugin-mesh-security-common';
import { ComponentType, useState } from 'react';
import {
  EDGE_TRAFFIC_LABELS,
  EDGE_TRAFFIC_ORDER,
  unmatchedOmittedText,
} from '../ObservedTraffic';
import { AccessPeerData, buildAccessGraph } from './accessGraphModel';
import {
  DEFAULT_GRAPH_PLATFORM_NAMESPACES,
  summarizeAccessGraph,
} from './accessGraphSummary';
import {
  GRAPH_SIZES,
  PROTECTION_TEXT,
  PlacedLine,
  PlacedPeer,
  drawnLabel,
  layoutAccessGraph,
  lineText,
} from './accessGraphLayout';

/** How each effective protection draws a line: dash pattern and icon (never colour alone). */
const PROTECTION_STYLE: Record<
  EdgeProtection,
  { dash?: string; icon: ComponentType<{ style?: object }> }
> = {
  mtls: { icon: LockIcon },
  tls: { dash: '8 3 2 3', icon: VpnKeyIcon },
  plaintext: { dash: '6 3', icon: LockOpenIcon },
  blocked: { dash: '2 3', icon: BlockIcon },
  unknown: { dash: '1 4', icon: HelpOutlineIcon },
};

function protectionColor(theme: Theme, protection: EdgeProtection): string {
  switch (protection) {
    case 'mtls':
      return theme.palette.success.main;
    case 'tls':
      return theme.palette.info.main;
    case 'plaintext':
      return theme.palette.warning.dark;
    case 'blocked':
      return theme.palette.error.main;
    default:
      return theme.palette.text.secondary;
  }
}

/**
 * How observed traffic draws a line, apart from its protection: the line's weight and opacity,
 * and the status symbol in its label (so the legend reads without colour).
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

const ROLE_TEXT: Record<AccessPeerData['role'], string> = {
  workload: 'workload',
  summary: 'many workloads',
  network: 'network peer, admitted by address',
  'external-workload': 'meshed workload outside Kubernetes',
  'external-plaintext': 'clients outside the cluster',
  observed: 'observed traffic no edge allows',
};

const useStyles = makeStyles((theme: Theme) => ({
  scroller: { overflowX: 'auto', maxWidth: '100%' },
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
    stroke: theme.palette.text.secondary,
    strokeDasharray: '4 2',
  },
  network: {
    fill: theme.palette.background.default,
    stroke: theme.palette.info.dark,
    strokeDasharray: '6 2 1 2',
  },
  networkIcon: { color: theme.palette.info.dark },
  observed: {
    fill: theme.palette.background.default,
    stroke: theme.palette.warning.dark,
    strokeDasharray: '1 3',
  },
  selfText: {
    fill: theme.palette.primary.contrastText,
    fontSize: GRAPH_SIZES.nodeFont,
  },
  text: { fill: theme.palette.text.primary, fontSize: GRAPH_SIZES.nodeFont },
  lineLabel: {
    fill: theme.palette.text.primary,
    fontSize: GRAPH_SIZES.labelFont,
  },
  focusable: {
    outline: 'none',
    '&:focus > .focus-ring': {
      stroke: theme.palette.primary.main,
      strokeWidth: 2,
      visibility: 'visible',
    },
  },
  focusRing: { fill: 'none', visibility: 'hidden' },
  legend: {
    display: 'flex',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
    marginTop: theme.spacing(1),
  },
  controls: {
    marginBottom: theme.spacing(1),
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
  },
}));

/** The accessible name of a line: who, which ports, how protected, why blocked. */
function lineName(peer: AccessPeerData, self: string, line: PlacedLine) {
  const [from, to] =
    peer.side === 'caller' ? [peer.label, self] : [self, peer.label];
  const { description } = PROTECTION_TEXT[line.line.protection];
  const traffic = line.line.traffic
    ? `, ${EDGE_TRAFFIC_LABELS[line.line.traffic].label}`
    : '';
  const reason = line.line.reason ? `: ${line.line.reason}` : '';
  return `${from} to ${to}, ports ${line.line.label}: ${description}${traffic}${reason}`;
}

/** The network peer's globe, within the two characters a node keeps beside its label. */
const NETWORK_ICON = 2 * GRAPH_SIZES.nodeCharWidth;

const PeerNode = ({ placed }: { placed: PlacedPeer }) => {
  const classes = useStyles();
  const { peer, box } = placed;
  const shape = {
    workload: classes.workload,
    summary: classes.special,
    network: classes.network,
    'external-workload': classes.special,
    'external-plaintext': classes.special,
    observed: classes.observed,
  }[peer.role];
  const both = peer.bidirectional;
  // A network peer is square, dash-dotted and carries a globe (never a callee, so the room the
  // layout keeps for ⇄ takes the icon).
  const network = peer.role === 'network';
  return (
    <g
      className={classes.focusable}
      data-peer-role={peer.role}
      tabIndex={0}
      role="img"
      aria-label={`${peer.side === 'caller' ? 'Caller' : 'Callee'} ${
        peer.label
      } (${peer.platform ? 'platform component' : ROLE_TEXT[peer.role]}${
        peer.bidirectional ? ', also on the other side' : ''
      })${peer.members ? `: ${peer.members.join(', ')}` : ''}`}
    >
      {(peer.members || drawnLabel(peer.label) !== peer.label) && (
        <title>
          {[
            ...(drawnLabel(peer.label) === peer.label ? [] : [peer.label]),
            ...(peer.members ? [peer.members.join(', ')] : []),
          ].join(': ')}
        </title>
      )}
      <rect
        className={`${classes.node} ${shape}`}
        x={box.x}
        y={box.y}
        width={box.width}
        height={box.height}
        rx={network ? 0 : 8}
      />
      <rect
        className={`focus-ring ${classes.focusRing}`}
        x={box.x - 3}
        y={box.y - 3}
        width={box.width + 6}
        height={box.height + 6}
        rx={network ? 0 : 10}
      />
      {network && (
        <svg
          x={box.x + GRAPH_SIZES.nodePadding / 2}
          y={box.y + (box.height - NETWORK_ICON) / 2}
          width={NETWORK_ICON}
          height={NETWORK_ICON}
          viewBox="0 0 24 24"
          aria-hidden
        >
          <LanguageIcon
            className={classes.networkIcon}
            style={{ fontSize: 24 }}
          />
        </svg>
      )}
      <text
        className={classes.text}
        x={box.x + GRAPH_SIZES.nodePadding + (network ? NETWORK_ICON : 0)}
        y={box.y + box.height / 2}
        dominantBaseline="central"
      >
        {drawnLabel(peer.label)}
      </text>
      {both && (
        <text
          className={classes.text}
          x={box.x + box.width - GRAPH_SIZES.nodePadding}
          y={box.y + box.height / 2}
          dominantBaseline="central"
          textAnchor="end"
          aria-hidden
        >
          ⇄
        </text>
      )}
    </g>
  );
};

const Line = ({
  placed,
  peer,
  self,
}: {
  placed: PlacedLine;
  peer: AccessPeerData;
  self: string;
}) => {
  const classes = useStyles();
  const theme = useTheme();
  const { protection, traffic } = placed.line;
  const color = protectionColor(theme, protection);
  const stroke = traffic ? TRAFFIC_STROKE[traffic] : { width: 2, opacity: 1 };
  const Icon = PROTECTION_STYLE[protection].icon;
  return (
    <g
      className={classes.focusable}
      data-testid="access-edge"
      data-protection={protection}
      data-traffic={traffic}
      tabIndex={0}
      role="img"
      aria-label={lineName(peer, self, placed)}
    >
      <rect
        className={`focus-ring ${classes.focusRing}`}
        x={Math.min(placed.x1, placed.x2)}
        y={placed.label.y - 2}
        width={Math.abs(placed.x2 - placed.x1)}
        height={placed.y - placed.label.y + 6}
      />
      <line
        x1={placed.x1}
        y1={placed.y}
        x2={placed.x2 - 2}
        y2={placed.y}
        stroke={color}
        strokeWidth={stroke.width}
        strokeOpacity={stroke.opacity}
        strokeDasharray={PROTECTION_STYLE[protection].dash}
        markerEnd={`url(#access-arrow-${protection})`}
      />
      <svg
        x={placed.icon.x}
        y={placed.icon.y}
        width={placed.icon.width}
        height={placed.icon.height}
        viewBox="0 0 24 24"
        aria-hidden
      >
        <Icon style={{ color, fontSize: 24 }} />
      </svg>
      <text
        className={classes.lineLabel}
        x={placed.label.x}
        y={placed.y - 5}
        aria-hidden
      >
        {lineText(placed.line)}
      </text>
    </g>
  );
};

const LegendLine = ({ protection }: { protection: EdgeProtection }) => {
  const theme = useTheme();
  const color = protectionColor(theme, protection);
  const Icon = PROTECTION_STYLE[protection].icon;
  return (
    <Box display="flex" alignItems="center">
      <svg width="32" height="8" aria-hidden>
        <line
          x1="0"
          y1="4"
          x2="32"
          y2="4"
          stroke={color}
          strokeWidth={2}
          strokeDasharray={PROTECTION_STYLE[protection].dash}
        />
      </svg>
      <Icon style={{ color, fontSize: 16, marginLeft: 4 }} />
      <Typography variant="caption" style={{ marginLeft: 4 }}>
        {PROTECTION_TEXT[protection].description}
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

const NodeLegend = () => {
  const classes = useStyles();
  const item = (className: string, text: string, square = false) => (
    <Box display="flex" alignItems="center" key={text}>
      <svg width="28" height="16" aria-hidden>
        <rect
          className={`${classes.node} ${className}`}
          x="1"
          y="1"
          width="26"
          height="14"
          rx={square ? 0 : 4}
        />
        {square && (
          <svg x="7" y="1" width="14" height="14" viewBox="0 0 24 24">
            <LanguageIcon
              className={classes.networkIcon}
              style={{ fontSize: 24 }}
            />
          </svg>
        )}
      </svg>
      <Typography variant="caption" style={{ marginLeft: 4 }}>
        {text}
      </Typography>
    </Box>
  );
  return (
    <Box className={classes.legend} aria-label="Node legend" role="group">
      {item(classes.self, 'this workload')}
      {item(classes.workload, 'one workload')}
      {item(
        classes.special,
        'many workloads (a summary) or clients outside the cluster',
      )}
      {item(classes.network, 'Network peer (by address)', true)}
      {item(classes.observed, 'observed traffic no edge allows')}
      <Typography variant="caption">
        No policy applies: workloads allowed because nothing restricts them (not
        a grant)
      </Typography>
      <Typography variant="caption">⇄ calls and is called by</Typography>
    </Box>
  );
};

type DirectionFilter = 'both' | 'callers' | 'callees';

/**
 * Who may call a workload and whom it may call: callers left, the workload, callees right (see
 * accessGraphLayout.ts). Each line is one peer's connections of one effective protection —
 * what the client actually sends (mTLS, TLS without a mesh identity, plaintext) or blocked by
 * configuration — drawn with its own dash, icon and words, so the graph never relies on colour.
 * Peers and lines are reachable by keyboard, each with an accessible name.
 */
export const AccessGraph = ({ workload }: { workload: EntityWorkload }) => {
  const classes = useStyles();
  const theme = useTheme();
  const [direction, setDirection] = useState<DirectionFilter>('both');
  const [showPlatform, setShowPlatform] = useState(false);
  const [expandNoPolicy, setExpandNoPolicy] = useState(false);
  const configured = useApi(configApiRef).getOptionalStringArray(
    'meshSecurity.platformNamespaces',
  );
  const full = buildAccessGraph(workload);
  const omitted = unmatchedOmittedText(workload.observed);
  const { graph, note } = summarizeAccessGraph(full, {
    platformNamespaces: new Set(
      configured ?? DEFAULT_GRAPH_PLATFORM_NAMESPACES,
    ),
    showPlatform,
    expandNoPolicy,
  });
  if (full.callers.length === 0 && full.callees.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No allowed callers or callees were found for this workload.
      </Typography>
    );
  }
  const layout = layoutAccessGraph({
    ...graph,
    callers: direction === 'callees' ? [] : graph.callers,
    callees: direction === 'callers' ? [] : graph.callees,
  });
  const self = graph.self.label;
  const shown = [...layout.callers, ...layout.callees];
  const margin = 4;
  return (
    <Box>
      <Box className={classes.controls}>
        <FormControl size="small">
          <InputLabel htmlFor="access-graph-direction" shrink>
            Show
          </InputLabel>
          <NativeSelect
            id="access-graph-direction"
            value={direction}
            onChange={e => setDirection(e.target.value as DirectionFilter)}
          >
            <option value="both">callers and callees</option>
            <option value="callers">callers only</option>
            <option value="callees">callees only</option>
          </NativeSelect>
        </FormControl>
        <FormControlLabel
          control={
            <Checkbox
              size="small"
              checked={showPlatform}
              onChange={e => setShowPlatform(e.target.checked)}
            />
          }
          label="Show platform peers (DNS, mesh control plane, gateways)"
        />
        <FormControlLabel
          control={
            <Checkbox
              size="small"
              checked={expandNoPolicy}
              onChange={e => setExpandNoPolicy(e.target.checked)}
            />
          }
          label="Show each peer no policy applies to"
        />
      </Box>
      {note.hiddenPlatform.length > 0 && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          aria-label="Platform peers hidden"
        >
          {note.hiddenPlatform.length} platform peer
          {note.hiddenPlatform.length === 1 ? '' : 's'} not drawn:{' '}
          {note.hiddenPlatform.join(', ')} (the access table lists them).
        </Typography>
      )}
      {omitted && (
        <Typography variant="caption" color="textSecondary" component="p">
          {omitted}
        </Typography>
      )}
      <WithScrollHint hint="Scroll the graph sideways to see every peer">
        <Box className={classes.scroller}>
          <svg
            data-scroll-hint-content
            width={layout.width + 2 * margin}
            height={layout.height + 2 * margin}
            viewBox={`${-margin} ${-margin} ${layout.width + 2 * margin} ${
              layout.height + 2 * margin
            }`}
            role="group"
            aria-label={`Access graph of ${self}`}
          >
            <defs>
              {EDGE_PROTECTIONS.map(p => (
                <marker
                  key={p}
                  id={`access-arrow-${p}`}
                  viewBox="0 0 10 10"
                  refX="9"
                  refY="5"
                  markerWidth="7"
                  markerHeight="7"
                  orient="auto"
                >
                  <path
                    d="M0,0 L10,5 L0,10 z"
                    fill={protectionColor(theme, p)}
                  />
                </marker>
              ))}
            </defs>
            {shown.map(placed =>
              placed.lines.map(line => (
                <Line
                  key={`${placed.peer.side}:${placed.peer.id}:${line.line.protection}`}
                  placed={line}
                  peer={placed.peer}
                  self={self}
                />
              )),
            )}
            {shown.map(placed => (
              <PeerNode
                key={`${placed.peer.side}:${placed.peer.id}`}
                placed={placed}
              />
            ))}
            <g
              tabIndex={0}
              role="img"
              aria-label={`This workload: ${self}`}
              className={classes.focusable}
            >
              {drawnLabel(self) !== self && <title>{self}</title>}
              <rect
                className={`${classes.node} ${classes.self}`}
                x={layout.self.x}
                y={layout.self.y}
                width={layout.self.width}
                height={layout.self.height}
                rx={8}
              />
              <rect
                className={`focus-ring ${classes.focusRing}`}
                x={layout.self.x - 3}
                y={layout.self.y - 3}
                width={layout.self.width + 6}
                height={layout.self.height + 6}
                rx={10}
              />
              <text
                className={classes.selfText}
                x={layout.self.x + GRAPH_SIZES.nodePadding}
                y={Math.min(layout.self.height / 2, 20)}
                dominantBaseline="central"
              >
                {drawnLabel(self)}
              </text>
            </g>
          </svg>
        </Box>
      </WithScrollHint>
      <Box className={classes.legend} aria-label="Edge legend" role="group">
        {EDGE_PROTECTIONS.map(p => (
          <LegendLine key={p} protection={p} />
        ))}
      </Box>
      <Typography variant="caption" color="textSecondary" component="p">
        Lines show what each caller actually sends, not only what the port
        accepts; the access table's mTLS column also gives each receiving port's
        mode (STRICT, PERMISSIVE, PARTIAL when ports differ, DISABLED, UNKNOWN).
      </Typography>
      <NodeLegend />
      {shown.some(p => p.lines.some(l => l.line.traffic)) && (
        <Box
          className={classes.legend}
          aria-label="Observed traffic legend"
          role="group"
        >
          {EDGE_TRAFFIC_ORDER.map(status => (
            <TrafficLegendItem key={status} status={status} />
          ))}
        </Box>
      )}
    </Box>
  );
};
