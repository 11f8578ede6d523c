import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs, { type Kafka } from 'kafkajs';
import type { RequiredAcl } from '../../apps/poller/src/kafka/required-acls.js';
import { freeBrokerPort } from '../../scripts/free-port.js';
import { LocalBroker } from './local-broker.js';

// kafkajs is CommonJS; Node's ESM loader sees only some of its exports by name.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, logLevel } =
  kafkajs;
const { Kafka: KafkaClient } = kafkajs;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The poller's SCRAM user on the locked-down broker. */
export const POLLER_USER = 'poller';

const RESOURCE = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
} as const;
const OPERATION = {
  Read: AclOperationTypes.READ,
  Write: AclOperationTypes.WRITE,
  DescribeConfigs: AclOperationTypes.DESCRIBE_CONFIGS,
} as const;

/**
 * A locked-down broker of a test file's own (scripts/kafka/secure-broker.sh): SASL/SCRAM-SHA-512,
 * the StandardAuthorizer allowing nothing without an ACL, the super user `admin` and the
 * poller's user made at format time. The admin client creates topics and grants ACLs.
 */
export class SecureBroker {
  private constructor(
    private readonly broker: LocalBroker,
    private readonly adminPassword: string,
    readonly pollerPassword: string,
  ) {}

  static async start(): Promise<SecureBroker> {
    const port = await freeBrokerPort();
    const adminPassword = randomBytes(12).toString('hex');
    const pollerPassword = randomBytes(12).toString('hex');
    const broker = new LocalBroker(port, join(root, '.cache', 'kafka', `secure-${port}`), {
      script: join(root, 'scripts', 'kafka', 'secure-broker.sh'),
      env: {
        KAFKA_ADMIN_PASSWORD: adminPassword,
        KAFKA_SCRAM_USERS: `${POLLER_USER}=${pollerPassword}`,
      },
    });
    await broker.start({ fresh: true });
    return new SecureBroker(broker, adminPassword, pollerPassword);
  }

  get address(): string {
    return this.broker.address;
  }

  /** A client of the super user: creates topics, grants ACLs, reads the topics (read_committed). */
  adminKafka(): Kafka {
    return new KafkaClient({
      clientId: 'locked-down-admin',
      brokers: [this.address],
      sasl: { mechanism: 'scram-sha-512', username: 'admin', password: this.adminPassword },
      logLevel: logLevel.NOTHING,
    });
  }

  /** The poller's Kafka variables for this broker. */
  pollerEnv(): Record<string, string> {
    return {
      KAFKA_BROKERS: this.address,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: POLLER_USER,
      KAFKA_SASL_PASSWORD: this.pollerPassword,
    };
  }

  /** Grants (or revokes) `acls` to the poller's user, as `kafka-acls --add` would. */
  async grant(acls: readonly RequiredAcl[], revoke = false): Promise<void> {
    const bindings = acls.flatMap((acl) =>
      acl.resources.map((resource) => ({
        resourceType: RESOURCE[resource.type],
        resourceName: resource.name,
        resourcePatternType:
          resource.pattern === 'prefixed'
            ? ResourcePatternTypes.PREFIXED
            : ResourcePatternTypes.LITERAL,
        principal: `User:${POLLER_USER}`,
        host: '*',
        operation: OPERATION[acl.operation],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    );
    const admin = this.adminKafka().admin();
    await admin.connect();
    try {
      if (revoke) await admin.deleteAcls({ filters: bindings });
      else await admin.createAcls({ acl: bindings });
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.broker.stop();
    await rm(this.broker.stateDir, { recursive: true, force: true });
    await rm(`${this.broker.stateDir}.secure.properties`, { force: true });
  }
}
