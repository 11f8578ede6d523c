import { kListApis, Producer, type CallbackWithPromise } from '@platformatic/kafka';

/** An entry of the broker's ApiVersions answer, as the client keeps it. */
interface ApiVersionsResponseApi {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
}

/**
 * Versions 4 and later of AddPartitionsToTxn are the brokers' own (KIP-890: a partition leader
 * asks the coordinator to verify a transaction) and need ClusterAction on the cluster; clients
 * use version 3 at most. @platformatic/kafka 2.12 takes the highest version both sides know (5
 * on Kafka 4), which a broker without ACLs, or a superuser, lets through, but which a principal
 * holding only the documented ACLs is refused: CLUSTER_AUTHORIZATION_FAILED on every window
 * (test/locked-down-kafka.e2e-spec.ts). Pure.
 */
export function clientApiVersions(apis: ApiVersionsResponseApi[]): ApiVersionsResponseApi[] {
  return apis.map((api) =>
    api.name === 'AddPartitionsToTxn' ? { ...api, maxVersion: Math.min(api.maxVersion, 3) } : api,
  );
}

/** @platformatic/kafka's producer, speaking the client versions of the APIs (above). */
export class ClientProducer extends Producer {
  override [kListApis](callback: CallbackWithPromise<ApiVersionsResponseApi[]>): void {
    super[kListApis]((error, apis) =>
      error ? callback(error) : callback(null, clientApiVersions(apis!)),
    );
  }
}
