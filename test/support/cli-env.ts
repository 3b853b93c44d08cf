// The environment the real openstack / nova / cinder clients log in with: password
// authentication against a Keystone v3 URL, Default domains, nothing inherited but PATH/HOME.
export function cliEnv(authUrl: string, user: string, password: string, project: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', OS_AUTH_URL: authUrl, OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: user, OS_PASSWORD: password, OS_PROJECT_NAME: project, OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
    ...extra,
  };
}
