import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthThrottle } from './auth-throttle';
import { AuthGuard } from './auth.guard';
import { TokenVerifier } from './token-verifier';
import { WhoAmIController } from './whoami.controller';

@Module({
  controllers: [WhoAmIController],
  providers: [TokenVerifier, AuthThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
