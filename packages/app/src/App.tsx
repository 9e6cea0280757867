import { Navigate, Route } from 'react-router-dom';
import { apiDocsPlugin, ApiExplorerPage } from '@backstage/plugin-api-docs';
import {
  CatalogEntityPage,
  CatalogIndexPage,
  catalogPlugin,
  CatalogTable,
  CatalogTableColumnsFunc,
} from '@backstage/plugin-catalog';
import {
  CatalogImportPage,
  catalogImportPlugin,
} from '@backstage/plugin-catalog-import';
import { ScaffolderPage, scaffolderPlugin } from '@backstage/plugin-scaffolder';
import { orgPlugin } from '@backstage/plugin-org';
import { UserSettingsPage } from '@backstage/plugin-user-settings';
import { NotificationsPage } from '@backstage/plugin-notifications';
import { SignalsDisplay } from '@backstage/plugin-signals';
import {
  AlertDisplay,
  OAuthRequestDialog,
  SignInPage,
} from '@backstage/core-components';
import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes } from '@backstage/core-app-api';
import { RequirePermission } from '@backstage/plugin-permission-react';
import { catalogEntityCreatePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  GitopsRepositoryField,
  ImpactPreviewField,
  MeshSecurityPage,
} from '@mesh-security/plugin-mesh-security';
import {
  createScaffolderFieldExtension,
  ScaffolderFieldExtensions,
} from '@backstage/plugin-scaffolder-react';
import { Theme, ThemeProvider } from '@material-ui/core';
import { apis } from './apis';
import { entityPage } from './components/catalog/EntityPage';
import { Root } from './components/Root';

const app = createApp({
  apis,
  bindRoutes({ bind }) {
    bind(catalogPlugin.externalRoutes, {
      createComponent: scaffolderPlugin.routes.root,
      createFromTemplate: scaffolderPlugin.routes.selectedTemplate,
    });
    bind(apiDocsPlugin.externalRoutes, {
      registerApi: catalogImportPlugin.routes.importPage,
    });
    bind(scaffolderPlugin.externalRoutes, {
      registerComponent: catalogImportPlugin.routes.importPage,
    });
    bind(orgPlugin.externalRoutes, {
      catalogIndex: catalogPlugin.routes.catalogIndex,
    });
  },
  components: {
    SignInPage: props => <SignInPage {...props} auto providers={['guest']} />,
  },
});

/**
 * The review step's "Pull request goes to" row of the Mesh Security templates
 * (catalog/templates, `ui:field: MeshSecurityGitopsRepository`).
 */
const MeshSecurityGitopsRepositoryFieldExtension = scaffolderPlugin.provide(
  createScaffolderFieldExtension({
    name: 'MeshSecurityGitopsRepository',
    component: GitopsRepositoryField,
  }),
);

/**
 * The scaffolder's forms draw field titles (e.g. an array's "Ports", with RJSF's Material UI
 * theme) as `h5` right under the form card's `h2` title, skipping two levels (axe
 * `heading-order`); on its pages that variant is an `h3`, and `h6` an `h4`. Panel titles
 * (`subtitle1`, e.g. a field's WarningPanel) follow either the card's `h2` or a field's `h3`,
 * so they are `h3` too rather than Material UI's `h6`.
 */
const scaffolderHeadings = (outer: Theme) => ({
  ...outer,
  props: {
    ...outer.props,
    MuiTypography: {
      ...outer.props?.MuiTypography,
      variantMapping: {
        h1: 'h1',
        h2: 'h2',
        h3: 'h3',
        h4: 'h4',
        h5: 'h3',
        h6: 'h4',
        subtitle1: 'h3',
        subtitle2: 'h3',
        body1: 'p',
        body2: 'p',
      },
    },
  },
});

/**
 * The last step's impact preview of the Mesh Security templates (catalog/templates,
 * `ui:field: MeshSecurityImpactPreview`): callers before and after, from the action's dry run.
 */
const MeshSecurityImpactPreviewFieldExtension = scaffolderPlugin.provide(
  createScaffolderFieldExtension({
    name: 'MeshSecurityImpactPreview',
    component: ImpactPreviewField,
  }),
);

/** The catalog table's columns of entity names: its name, system and owner columns. */
const NAME_FIELDS = new Set([
  'resolved.entityRef',
  'resolved.partOfSystemRelationTitle',
  'resolved.ownedByRelationsTitle',
]);

/**
 * The catalog's default columns, with names broken between words only. Backstage's theme
 * breaks table cells anywhere (`word-break: break-word`), so at 1280 px the names were cut
 * mid-word ("check|out", "Storefron|t") to make room for the description, which the table
 * truncates anyway; a name now breaks at its hyphens only ("payments-|ledger"). The tags
 * column is left out while no listed entity has a tag (none of the demo's has): it held the
 * room the names now take.
 */
const catalogColumns: CatalogTableColumnsFunc = context => {
  const tagged = context.entities.some(e => (e.metadata.tags ?? []).length > 0);
  return CatalogTable.defaultColumnsFunc(context).flatMap(column => {
    if (column.field === 'entity.metadata.tags' && !tagged) return [];
    return typeof column.field === 'string' && NAME_FIELDS.has(column.field)
      ? [
          {
            ...column,
            cellStyle: { wordBreak: 'normal', overflowWrap: 'normal' },
          },
        ]
      : [column];
  });
};

const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="catalog" />} />
    <Route
      path="/catalog"
      element={<CatalogIndexPage columns={catalogColumns} />}
    />
    <Route
      path="/catalog/:namespace/:kind/:name"
      element={<CatalogEntityPage />}
    >
      {entityPage}
    </Route>
    <Route
      path="/create"
      element={
        <ThemeProvider theme={scaffolderHeadings}>
          <ScaffolderPage />
        </ThemeProvider>
      }
    >
      <ScaffolderFieldExtensions>
        <MeshSecurityGitopsRepositoryFieldExtension />
        <MeshSecurityImpactPreviewFieldExtension />
      </ScaffolderFieldExtensions>
    </Route>
    <Route path="/api-docs" element={<ApiExplorerPage />} />
    <Route
      path="/catalog-import"
      element={
        <RequirePermission permission={catalogEntityCreatePermission}>
          <CatalogImportPage />
        </RequirePermission>
      }
    />
    <Route path="/mesh-security" element={<MeshSecurityPage />} />
    {/* Regression notifications of Mesh Security, among others (docs/backend.md). */}
    <Route path="/notifications" element={<NotificationsPage />} />
    <Route path="/settings" element={<UserSettingsPage />} />
  </FlatRoutes>
);

export default app.createRoot(
  <>
    <AlertDisplay />
    <OAuthRequestDialog />
    {/* Live updates from the signals backend: new notifications show without a reload. */}
    <SignalsDisplay />
    <AppRouter>
      <Root>{routes}</Root>
    </AppRouter>
  </>,
);
