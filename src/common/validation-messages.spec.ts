import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsDefined,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { validationMessages } from './validation-messages';

class Item {
  @IsDefined({ message: 'last4 is required' })
  @IsString()
  @MaxLength(4)
  last4: string;
}

class Form {
  @IsString()
  @MinLength(3)
  @MaxLength(254)
  email: string;

  @ValidateNested({ each: true })
  @Type(() => Item)
  items: Item[];
}

const messagesFor = (plain: object) =>
  validationMessages(validateSync(plainToInstance(Form, plain), { forbidUnknownValues: false }));

describe('validationMessages: one message per failing field', () => {
  it.each([
    [{ email: 5, items: [] }, ['email must be a string']],
    [{ email: 'ab', items: [] }, ['email must be longer than or equal to 3 characters']],
    [{ email: 'a@b.c', items: [{}] }, ['items.0.last4 is required']],
    [{ email: 'a@b.c', items: [{ last4: 42 }] }, ['items.0.last4 must be a string']],
    [{ email: 'a@b.c', items: [{ last4: '4242' }] }, []],
    [
      { items: [{ last4: '12345' }] },
      ['email must be a string', 'items.0.last4 must be shorter than or equal to 4 characters'],
    ],
  ])('%j', (plain, expected) => {
    expect(messagesFor(plain)).toEqual(expected);
  });
});
