/** payments-api's ALLOW AuthorizationPolicy with the given `rules:` lines (indented 4). */
export const paymentsAllowPolicy = (
  rules: string,
) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: payments-api-allow
  namespace: payments
spec:
  selector:
    matchLabels:
      app: payments-api
  action: ALLOW
  rules:
${rules}`;
