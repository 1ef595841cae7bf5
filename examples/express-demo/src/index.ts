import { createDemoApp } from './demo-app';

/** The demo Express app, for `FRAMEWORK_APP` or the reference server: the framework hosts it by default. */
export const app = createDemoApp();
