import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger every Vigil handler shares (JSON lines with the request id and cold start flag). */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'vigil' });
