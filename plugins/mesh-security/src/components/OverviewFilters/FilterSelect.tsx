import { makeStyles, TextField } from '@material-ui/core';
import { useId } from 'react';

/**
 * A labelled native drop-down with the props of Backstage's `Select` that the overview uses.
 * Backstage's `Select` puts its label on a wrapper, not on the `<select>`, so screen readers
 * announce an unnamed combo box (axe `select-name`); here the label is bound to the element by
 * id. `data-testid` is on the wrapper, as Backstage's `Select` has it.
 */
// The outlined label's default grey is 4.47:1 on the page background: below WCAG's 4.5:1.
const useStyles = makeStyles(theme => ({
  label: { color: theme.palette.text.primary },
}));

export const FilterSelect = ({
  label,
  items,
  selected,
  onChange,
  'data-testid': testId,
}: {
  /** Always a native `<select>` (accepted for the call sites written for Backstage's `Select`). */
  native?: true;
  label: string;
  items: Array<{ label: string; value: string }>;
  selected: string;
  onChange: (value: string) => void;
  'data-testid'?: string;
}) => {
  const classes = useStyles();
  const id = `filter-${useId()}`;
  return (
    <TextField
      select
      fullWidth
      id={id}
      label={label}
      value={selected}
      data-testid={testId}
      variant="outlined"
      size="small"
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true, className: classes.label }}
      onChange={event => onChange(event.target.value)}
    >
      {items.map(item => (
        <option key={item.value} value={item.value}>
          {item.label}
        </option>
      ))}
    </TextField>
  );
};
