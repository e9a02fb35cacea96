// The user API under /api/v1: one file per resource, registered here.
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../../container.ts';

export const userApiRoutes =
  (_container: Container): FastifyPluginAsync =>
  async (_app) => {};
