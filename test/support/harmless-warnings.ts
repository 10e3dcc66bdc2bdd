/**
 * Test workers run kafkajs in-process, so they drop the same harmless
 * warnings as the services do at start (services/common/lifecycle.ts).
 */
import { dropHarmlessWarnings } from '../../services/common/lifecycle.ts';

dropHarmlessWarnings();
