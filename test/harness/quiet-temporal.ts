// jest setupFiles: in-process workers log at WARN, so a failing test's output is not buried under
// worker state changes and bundler output. Set MESHOPS_TEST_TEMPORAL_LOG=DEBUG to see everything.
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger((process.env.MESHOPS_TEST_TEMPORAL_LOG as LogLevel | undefined) ?? 'WARN') });
