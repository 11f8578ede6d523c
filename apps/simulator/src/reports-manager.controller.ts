import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueryParams } from './api-rules.js';
import { ReportsManagerService } from './reports-manager.service.js';

/** The Wolkvox Reports Manager path; only `api=cdr_9` is served. */
@Controller('api/v2')
export class ReportsManagerController {
  constructor(private readonly reports: ReportsManagerService) {}

  @Get('reports_manager.php')
  async get(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    // The raw query string rather than Express's parsed object, so no array or nested object
    // reaches the rules; a repeated parameter counts once.
    const search = new URL(req.url ?? '/', 'http://simulator').searchParams;
    const params: QueryParams = {
      api: search.get('api') ?? undefined,
      date_ini: search.get('date_ini') ?? undefined,
      date_end: search.get('date_end') ?? undefined,
    };
    await this.reports.answer(req, res, params);
  }
}
