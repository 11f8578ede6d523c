import { Controller, Get, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { MetricsService } from './metrics.service.js';

/** `GET /metrics`: Prometheus text exposition format. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly service: MetricsService) {}

  @Get()
  async scrape(@Res() response: ServerResponse): Promise<void> {
    const { metrics } = this.service;
    const body = await metrics.text();
    response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
    response.end(body);
  }
}
