/** Reads a required environment variable, naming it when it is missing (a deployment fault, not a user one). */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `environment variable ${name} is not set; the stack sets it on every Lambda that needs it`,
    );
  return value;
}
