/**
 * The users of the MQTT tests' brokers under the shipped ACL (deploy/mosquitto/acl): the bridge,
 * ten devices whose user names are their ids, and an observer allowed to read everything (only in
 * the tests' brokers), to see what got through.
 */
export const BRIDGE = { username: 'twinfold-bridge', password: 'bridge-secret-for-tests' };
export const DEVICES = [...Array(10).keys()].map((i) => `acl-dev-${i}`);
export const device = (id: string): { username: string; password: string } => ({
  username: id,
  password: `${id}-secret`,
});
/** Reads everything, to see what got through; only this test's broker has it. */
export const OBSERVER = { username: 'observer', password: 'observer-secret' };
export const SHIPPED_AUTH = {
  users: [BRIDGE, OBSERVER, ...DEVICES.map(device)],
  extraAcl: ['user observer', 'topic read #'],
};
