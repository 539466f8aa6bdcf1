import { Controller, Get } from '@nestjs/common';

@Controller()
export class AppController {
  /** A landing answer that shows the app is up and what it offers. */
  @Get()
  root(): { name: string; status: string } {
    return { name: 'cello-demo', status: 'ok' };
  }
}
