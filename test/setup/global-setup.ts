// vitest globalSetup: refuse to start the suite when a required tool or privilege is missing.
import { missingRequirements } from './preflight.ts';

export default function setup(): void {
  const problems = missingRequirements();
  if (problems.length > 0) {
    throw new Error(`the test suite cannot run here (npm test installs the packages when run as root):\n  ${problems.join('\n  ')}`);
  }
}
