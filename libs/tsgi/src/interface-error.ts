/** An application broke the interface's rules (PEP 3333's AssertionErrors in wsgiref.validate). */
export class InterfaceError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'InterfaceError';
  }
}
