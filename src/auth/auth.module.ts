import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthThrottle } from './auth-throttle';
import { AuthGuard } from './auth.guard';
import { TokenVerifier } from './token-verifier';

@Module({
  providers: [TokenVerifier, AuthThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
