import { Module, type DynamicModule } from '@nestjs/common';
import { ControlController } from './control.controller.js';
import { ReportsManagerController } from './reports-manager.controller.js';
import { ReportsManagerService } from './reports-manager.service.js';
import { SimulatorState } from './simulator-state.js';

/** The simulated Wolkvox API and its control API, around one run's state. */
@Module({})
export class SimulatorModule {
  static forState(state: SimulatorState): DynamicModule {
    return {
      module: SimulatorModule,
      controllers: [ReportsManagerController, ControlController],
      providers: [{ provide: SimulatorState, useValue: state }, ReportsManagerService],
    };
  }
}
