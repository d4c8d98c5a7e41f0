/**
 * Domain errors thrown by services, repositories and runners. They carry no HTTP knowledge:
 * `DomainExceptionFilter` maps each class to a status code in one place.
 */
export abstract class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class AccountNotFoundError extends DomainError {
  constructor(readonly account: string) {
    super(`account not found: ${account}`);
  }
}

export class JobNotFoundError extends DomainError {
  constructor(
    readonly account: string,
    readonly group: string,
    readonly id: string,
  ) {
    super(`job not found: ${group}/${id}`);
  }
}

/** A request value that passed the DTO but fails a rule only the service can check. */
export class InvalidFieldError extends DomainError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** A conditional write lost against a concurrent writer. */
export class ConflictError extends DomainError {}

export class CalendarNotFoundError extends DomainError {
  constructor(account: string, name: string) {
    super(`calendar not found: ${account}/${name}`);
  }
}

/** A dependency (storage, queue) cannot be reached right now; the client may retry later. */
export class ServiceUnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** The client asks too much too fast; it may retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The storage backend refused us (credentials, policy). Not retryable by the client. */
export class StorageAccessDeniedError extends DomainError {}

/**
 * A runner failed. `permanent` errors (bad details, access denied) are not retried;
 * everything else (throttling, network, 5xx) is.
 */
export class RunnerError extends DomainError {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly requestId?: string,
  ) {
    super(message);
  }
}
