import { ValidationError } from 'class-validator';

/**
 * Turns class-validator's error tree into flat messages that name the full path of the offending
 * field (`job.details.runner ...`, `jobsRepository.config.bucket ...`), used for request bodies
 * and for the configuration file alike.
 */
export function validationMessages(errors: ValidationError[], parentPath = ''): string[] {
  const out: string[] = [];
  for (const error of errors) {
    // Array items are named by index: tags[0].key
    const path = /^\d+$/.test(error.property)
      ? `${parentPath}[${error.property}]`
      : parentPath
        ? `${parentPath}.${error.property}`
        : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push(rewrite(constraint, message, error.property, path));
    }
    if (error.children?.length) out.push(...validationMessages(error.children, path));
  }
  return out;
}

function rewrite(constraint: string, message: string, property: string, path: string): string {
  if (constraint === 'whitelistValidation') return `${path} is not an allowed field`;
  if (
    message.startsWith(`${property} `) ||
    message.startsWith(`${property}.`) ||
    message.startsWith(`${property}[`)
  ) {
    return path + message.slice(property.length);
  }
  return `${path}: ${message}`;
}
