// The parts of class-validator the DTOs use, each from its own module. The package's index also
// loads every decorator it has, and behind them the validator and libphonenumber-js libraries
// (about 300 modules, 9 MB of a process's memory) that no DTO here uses. Types come from the
// package as usual; test/unit/common/json-schema.test.ts exercises each of these.
/* eslint-disable @typescript-eslint/no-require-imports -- deep CommonJS modules, typed below */
import type * as CV from 'class-validator';

const lib = 'class-validator/cjs/';

export type { ValidationError } from 'class-validator';
export const IsDefined: typeof CV.IsDefined = require(`${lib}decorator/common/IsDefined`).IsDefined;
export const ValidateNested: typeof CV.ValidateNested = require(`${lib}decorator/common/ValidateNested`).ValidateNested;
export const ValidateBy: typeof CV.ValidateBy = require(`${lib}decorator/common/ValidateBy`).ValidateBy;
export const getMetadataStorage: typeof CV.getMetadataStorage = require(`${lib}metadata/MetadataStorage`).getMetadataStorage;

const { getFromContainer } = require(`${lib}container`) as { getFromContainer: typeof CV.getFromContainer };
const { Validator } = require(`${lib}validation/Validator`) as { Validator: typeof CV.Validator };

/** class-validator's validateSync for an object (what its index exports, without the index). */
export function validateSync(object: object, options?: CV.ValidatorOptions): CV.ValidationError[] {
  return getFromContainer(Validator).validateSync(object, options);
}
