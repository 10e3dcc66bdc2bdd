/**
 * One Kafka broker for the whole integration run, chosen in this order:
 * 1. KAFKA_BROKERS=host:port,... — an existing cluster;
 * 2. a Docker engine is reachable — testcontainers' Kafka module (apache/kafka, KRaft);
 * 3. otherwise — the project's own local broker from the Apache jars (tools/local-kafka).
 * The same tests run against any of them; each test makes its own topics and groups.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import type { TestProject } from 'vitest/node';
import { brokerList } from '../../services/common/config.ts';
import { dropHarmlessWarnings } from '../../services/common/lifecycle.ts';
import { startLocalBroker } from '../../tools/local-kafka/broker.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
  }
}

function dockerReachable(): Promise<boolean> {
  const socketPath = '/var/run/docker.sock';
  if (process.env['DOCKER_HOST'] === undefined && !existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => {
      resolve(false);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function startTestcontainersKafka(): Promise<{ brokers: string[]; stop: () => Promise<void> }> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const container = await new KafkaContainer('apache/kafka:4.1.1').withKraft().start();
  return {
    brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`],
    stop: async () => {
      await container.stop();
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  dropHarmlessWarnings();
  const external = process.env['KAFKA_BROKERS'];
  if (external !== undefined && external !== '') {
    project.provide('kafkaBrokers', brokerList(external));
    return () => Promise.resolve();
  }
  const broker = (await dockerReachable()) ? await startTestcontainersKafka() : await startLocalBroker();
  project.provide('kafkaBrokers', broker.brokers);
  return () => broker.stop();
}
