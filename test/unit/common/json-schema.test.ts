// The @Schema keywords (common/api/json-schema.ts) worded as jsonschema words them, and the
// formatter's order (validation.ts): the object's `before` keywords, properties, required, `after`,
// additionalProperties, `final`.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { IsDefined, MaxLength } from 'class-validator';
import { Nested, ObjectSchema, Schema, validateBody, violation } from '../../../common/api';
import type { HTTPFault } from '../../../common/api/faults';

@ObjectSchema({ before: { minProperties: 1 }, after: { anyOf: [{ required: ['a'] }, { required: ['b'] }] }, final: { maxProperties: 3 } })
class Inner {
  @Schema({ type: 'string' }) a?: string;
  @Schema({ type: 'integer' }) b?: number;
  @IsDefined({ message: "'c' is a required property" }) @Schema({ type: 'boolean' }) c!: boolean;
}

class Outer {
  @IsDefined({ message: "'inner' is a required property" }) @Nested(() => Inner) inner!: Inner;
}

@ObjectSchema({ additionalProperties: true, final: { maxProperties: 3 } })
class Open extends Inner {}

function message(cls: new () => object, body: unknown): string {
  try {
    validateBody(cls, body, null);
  } catch (e) {
    return (e as HTTPFault).message;
  }
  throw new Error('accepted');
}

describe('common/api JSON-schema keywords', () => {
  it('words each keyword as jsonschema does', () => {
    expect(violation({ type: ['string', 'null'] }, 1)?.message).to.equal("1 is not of type 'string', 'null'");
    expect(violation({ enum: ['rw', 'ro'] }, 'x')?.message).to.equal("'x' is not one of ['rw', 'ro']");
    expect(violation({ pattern: '^[0-9]+$' }, '1a')?.message).to.equal("'1a' does not match '^[0-9]+$'");
    expect(violation({ minLength: 1 }, '')?.message).to.equal("'' is too short");
    expect(violation({ maxLength: 2 }, '\u{1F600}\u{1F600}')).to.equal(null); // code points, as Python's len()
    expect(violation({ minimum: 1 }, '0')?.message).to.equal('0 is less than the minimum of 1'); // Cinder's numeric strings
    expect(violation({ maximum: 5 }, '007')?.message).to.equal('7 is greater than the maximum of 5');
    expect(violation({ oneOf: [{ type: 'null' }, { type: 'string' }] }, 1)?.message).to.equal('1 is not valid under any of the given schemas');
    expect(violation({ patternProperties: { '^a$': { type: 'string' } } }, { a: 1 })).to.deep.equal({ path: ['a'], value: 1, message: "1 is not of type 'string'" });
  });

  it("names the extra keys sorted as Python sorts str (by code point), not in the body's order", () => {
    expect(violation({ additionalProperties: false }, { force: 1, extra: 2 })?.message).to.equal("Additional properties are not allowed ('extra', 'force' were unexpected)");
    // U+FFFD sorts before an astral character in Python; UTF-16 code units put it after.
    expect(violation({ additionalProperties: false }, { '\u{1F600}': 1, '\uFFFD': 2 })?.message)
      .to.equal("Additional properties are not allowed ('\uFFFD', '\u{1F600}' were unexpected)");
  });

  it("tests patterns as Python's re.search: '$' also before a final newline", () => {
    expect(violation({ pattern: '^[0-9]+$' }, '12\n')).to.equal(null);
    expect(violation({ pattern: '^[0-9]+$' }, '12\n\n')?.message).to.equal("'12\\n\\n' does not match '^[0-9]+$'");
  });

  it('reports in the schema dict order: before, properties, required, after, additionalProperties, final', () => {
    expect(message(Outer, { inner: {} })).to.equal('Invalid input for field/attribute inner. Value: {}. {} does not have enough properties');
    expect(message(Outer, { inner: { a: 1, x: 1 } })).to.equal("Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'");
    expect(message(Outer, { inner: { x: 1 } })).to.equal("Invalid input for field/attribute inner. Value: {'x': 1}. 'c' is a required property");
    expect(message(Outer, { inner: { c: true, x: 1 } })).to.equal("Invalid input for field/attribute inner. Value: {'c': True, 'x': 1}. {'c': True, 'x': 1} is not valid under any of the given schemas");
    expect(message(Outer, { inner: { a: 'a', c: true, x: 1 } })).to.equal("Invalid input for field/attribute inner. Value: {'a': 'a', 'c': True, 'x': 1}. Additional properties are not allowed ('x' was unexpected)");
    expect(message(Open, { a: 'a', b: 1, c: true, x: 1 })).to.equal("{'a': 'a', 'b': 1, 'c': True, 'x': 1} has too many properties");
    expect(message(Outer, {})).to.equal("'inner' is a required property");
    expect(message(Outer, 'x')).to.equal("'x' is not of type 'object'");
  });

  it('sees a rule declared after the class was first validated (the rule lookup is memoised)', () => {
    class Late {
      @Schema({ type: 'string' }) a?: string;
    }
    expect(validateBody(Late, { a: 'x' }, null)).to.deep.include({ a: 'x' });
    expect(message(Late, { a: 1 })).to.equal("Invalid input for field/attribute a. Value: 1. 1 is not of type 'string'");
    // A rule added to the same class later (as a subclass or a late module would add one) counts.
    MaxLength(1, { message: "'xy' is too long" })(Late.prototype, 'a');
    expect(message(Late, { a: 'xy' })).to.equal("Invalid input for field/attribute a. Value: xy. 'xy' is too long");
  });

  it("validates without loading class-validator's index (and the libraries behind its other decorators)", () => {
    // A fresh process: this one has the index loaded by the tests' own imports.
    const dist = join(__dirname, '../../..');
    const out = execFileSync(process.execPath, ['-e', `
      require('reflect-metadata');
      const { validateBody } = require(${JSON.stringify(join(dist, 'common/api/validation'))});
      const { UpdateVolumeBody } = require(${JSON.stringify(join(dist, 'cinder-api/schemas/volumes'))});
      let message = null;
      try { validateBody(UpdateVolumeBody, { volume: { name: 5 } }, null); } catch (e) { message = e.message; }
      const loaded = (m) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + m));
      console.log(JSON.stringify({ message, index: loaded('class-validator/cjs/index.js'), validator: loaded('validator/'), phone: loaded('libphonenumber-js/') }));
    `], { encoding: 'utf8' });
    expect(JSON.parse(out)).to.deep.equal({
      message: "Invalid input for field/attribute name. Value: 5. 5 is not of type 'string', 'null'", index: false, validator: false, phone: false,
    });
  });
});
