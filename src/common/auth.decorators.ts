import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { UserRole } from '../accounts/user.entity';

/** Who is signed in, attached to the request by the AuthGuard. */
export interface AuthenticatedUser {
  id: string;
  role: UserRole;
  organizationId: string | null;
  sessionId: string;
}

export type AuthenticatedRequest = Request & { user?: AuthenticatedUser };

export const IS_PUBLIC = 'isPublic';
export const REQUIRED_ROLES = 'requiredRoles';

/** The route needs no session (sign-in, health, token-guarded machine endpoints). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route; others get 403. */
export const Roles = (...roles: UserRole[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (user === undefined) throw new Error('CurrentUser used on a public route');
    return user;
  },
);
